using OrleansStream.Contracts.Checkpoints;

namespace OrleansStream.Runtime.Checkpoints;

/// <summary>Where one chunk of a subtask's keyed state is stored, and which key groups it holds.</summary>
[GenerateSerializer, Immutable, Alias("orleansstream.keyed-state-handle")]
public sealed record KeyedStateHandle(
    [property: Id(0)] string StorageKey,
    [property: Id(1)] string? ETag,
    [property: Id(2)] int FirstKeyGroup,
    [property: Id(3)] int LastKeyGroup,
    [property: Id(4)] long Bytes)
{
    public bool Overlaps(int first, int last) => FirstKeyGroup <= last && LastKeyGroup >= first;
}

/// <summary>
/// What one subtask stored for one checkpoint: the operator state items of each of its operators
/// (inline: they are small), handles to its keyed state chunks, and the operators whose keyed state
/// the chunks hold.
/// </summary>
[GenerateSerializer, Immutable, Alias("orleansstream.task-snapshot")]
public sealed record TaskSnapshot(
    [property: Id(0)] int VertexId,
    [property: Id(1)] int Subtask,
    [property: Id(2)] IReadOnlyDictionary<string, IReadOnlyList<byte[]>> OperatorState,
    [property: Id(3)] IReadOnlyList<KeyedStateHandle> KeyedState,
    [property: Id(4)] IReadOnlyList<string> KeyedOperators)
{
    public long Bytes => KeyedState.Sum(h => h.Bytes) + OperatorState.Values.Sum(items => items.Sum(i => (long)i.Length));
}

/// <summary>A completed checkpoint or savepoint: every subtask's snapshot. A job can start from it at any parallelism.</summary>
[GenerateSerializer, Immutable, Alias("orleansstream.checkpoint-metadata")]
public sealed record CheckpointMetadata(
    [property: Id(0)] string JobId,
    [property: Id(1)] long CheckpointId,
    [property: Id(2)] SnapshotKind Kind,
    [property: Id(3)] DateTimeOffset CompletedAt,
    [property: Id(4)] TimeSpan Duration,
    [property: Id(5)] int MaxParallelism,
    [property: Id(6)] IReadOnlyList<TaskSnapshot> Tasks)
{
    public long Bytes => Tasks.Sum(t => t.Bytes);

    /// <summary>How a job refers to this snapshot when it starts from it: <c>{job}/{checkpoint}</c>.</summary>
    public string Pointer => SnapshotPointer.Format(JobId, CheckpointId);
}

/// <summary>The state one new subtask restores: its share of the operator state items and the keyed chunks that overlap its key groups.</summary>
[GenerateSerializer, Immutable, Alias("orleansstream.task-restore")]
public sealed record TaskRestore(
    [property: Id(0)] long CheckpointId,
    [property: Id(1)] IReadOnlyDictionary<string, IReadOnlyList<byte[]>> OperatorState,
    [property: Id(2)] IReadOnlyList<KeyedStateHandle> KeyedState);
