using OrleansStream.Checkpoints;
using OrleansStream.Contracts.Checkpoints;

namespace OrleansStream.Runtime.Checkpoints;

/// <summary>
/// How a checkpoint is taken (Flink's CheckpointOptions): decided by the checkpoint coordinator when it
/// triggers the checkpoint and carried by its barrier to every subtask, so that no subtask has to know it
/// from elsewhere.
/// </summary>
/// <param name="Kind">A periodic checkpoint or a savepoint.</param>
/// <param name="Aligned">
/// Subtasks with several input channels hold back a channel's input after its barrier until the barrier
/// has arrived on every channel (exactly-once); without, the snapshot is taken when the last barrier arrives.
/// </param>
/// <param name="StopSource">
/// A stop-with-savepoint, or the checkpoint a job goes idle at: sources read nothing after the barrier, and read on if it is abandoned.
/// </param>
/// <param name="Persist">
/// False for the commit-only final checkpoint of a job without checkpointing: subtasks take their snapshot
/// (sinks pre-commit) but nothing is written to checkpoint storage.
/// </param>
[GenerateSerializer, Immutable, Alias("orleansstream.checkpoint-options")]
public sealed record CheckpointOptions(
    [property: Id(0)] SnapshotKind Kind,
    [property: Id(1)] bool Aligned,
    [property: Id(2)] bool StopSource = false,
    [property: Id(3)] bool Persist = true)
{
    /// <summary>A periodic checkpoint of a job in <paramref name="mode"/>.</summary>
    public static CheckpointOptions Checkpoint(CheckpointingMode mode, bool persist = true)
        => new(SnapshotKind.Checkpoint, mode == CheckpointingMode.ExactlyOnce, Persist: persist);

    /// <summary>A savepoint, which stops the sources after its barrier when <paramref name="stopSource"/>.</summary>
    public static CheckpointOptions Savepoint(CheckpointingMode mode, bool stopSource)
        => new(SnapshotKind.Savepoint, mode == CheckpointingMode.ExactlyOnce, stopSource);
}
