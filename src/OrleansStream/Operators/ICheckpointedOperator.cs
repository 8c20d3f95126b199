namespace OrleansStream.Operators;

/// <summary>
/// An operator with operator (non-keyed) state: a list of items per subtask, such as a source's
/// splits or a sink's pending transactions. On restore the items of all old subtasks are spread
/// round-robin over the new ones and reach the operator as <see cref="State.OperatorStateStore.RestoredOperatorState"/>.
/// Keyed state needs no hook: the task snapshots the operator's <see cref="State.OperatorStateStore"/> itself.
/// </summary>
public interface ICheckpointedOperator
{
    /// <summary>Captures the operator state as the barrier of <paramref name="checkpointId"/> passes (synchronous, in the task's turn).</summary>
    IReadOnlyList<byte[]> SnapshotOperatorState(long checkpointId);
}

/// <summary>An operator that acts when a checkpoint completes (Flink's CheckpointListener), e.g. a sink that commits.</summary>
public interface ICheckpointListener
{
    /// <summary>
    /// Every checkpoint up to <paramref name="checkpointId"/> is durable. Also called after a restore with the
    /// restored checkpoint's id, so that what it pre-committed is committed even if no later checkpoint completes.
    /// </summary>
    ValueTask NotifyCheckpointCompleteAsync(long checkpointId, CancellationToken cancellationToken);
}
