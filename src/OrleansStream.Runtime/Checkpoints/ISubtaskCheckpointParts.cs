using OrleansStream.Runtime.Tasks;
using OrleansStream.State;

namespace OrleansStream.Runtime.Checkpoints;

/// <summary>A subtask's state as captured for one checkpoint: operator state items by operator, and the operators whose keyed state went into the snapshot builder.</summary>
internal sealed record ChainSnapshot(Dictionary<string, IReadOnlyList<byte[]>> OperatorState, List<string> KeyedOperators);

/// <summary>What holds a subtask's state: its operator chain.</summary>
internal interface ISnapshotSource
{
    /// <summary>Captures every operator's state for <paramref name="checkpointId"/>; keyed state goes into <paramref name="keyed"/>.</summary>
    ChainSnapshot Snapshot(long checkpointId, KeyedSnapshotBuilder keyed);

    /// <summary>The state store of the operator with <paramref name="uid"/>, to restore into; null when the chain has no such operator.</summary>
    OperatorStateStore? StateOf(string uid);
}

/// <summary>Where a subtask forwards a barrier: all of its output channels.</summary>
internal interface IBarrierOutput
{
    void EmitBarrier(CheckpointBarrier barrier);
}

/// <summary>Where a subtask's keyed state chunks are written and read back.</summary>
internal interface IChunkStorage
{
    Task<KeyedStateHandle> WriteChunkAsync(string storageKey, KeyedStateChunk chunk, CancellationToken cancellationToken);

    Task<byte[]> ReadChunkAsync(KeyedStateHandle handle, CancellationToken cancellationToken);
}

/// <summary>Whom a subtask tells about its snapshots: its job's checkpoint coordinator.</summary>
internal interface ICheckpointResponder
{
    Task AcknowledgeAsync(TaskId task, long checkpointId, TaskSnapshot snapshot);

    Task DeclineAsync(TaskId task, long checkpointId, string reason);
}
