namespace OrleansStream.Contracts.Checkpoints;

/// <summary>A completed checkpoint or savepoint as the job's status shows it.</summary>
[GenerateSerializer, Immutable, Alias("orleansstream.completed-checkpoint")]
public sealed record CompletedCheckpointInfo(
    [property: Id(0)] long Id,
    [property: Id(1)] string Pointer,
    [property: Id(2)] SnapshotKind Kind,
    [property: Id(3)] DateTimeOffset CompletedAt,
    [property: Id(4)] TimeSpan Duration,
    [property: Id(5)] long Bytes);
