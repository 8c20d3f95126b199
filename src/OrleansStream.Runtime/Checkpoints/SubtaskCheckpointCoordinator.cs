using Microsoft.Extensions.Logging;
using OrleansStream.Runtime.Tasks;
using OrleansStream.State;

namespace OrleansStream.Runtime.Checkpoints;

/// <summary>
/// A subtask's part of the checkpoint protocol (Flink's SubtaskCheckpointCoordinator): restores the
/// chain's state from a checkpoint; captures it in the task's turn and forwards the barrier after exactly
/// the records before it, then cuts the keyed state into chunks and writes them off the task's turn, and
/// acknowledges the snapshot to the job's coordinator, or declines the checkpoint when the write fails.
/// </summary>
internal sealed class SubtaskCheckpointCoordinator(
    TaskId task,
    ISnapshotSource state,
    IBarrierOutput output,
    IChunkStorage storage,
    ICheckpointResponder coordinator,
    int chunkBytes,
    CancellationToken released,
    ILogger logger)
{
    /// <summary>The newest checkpoint this subtask has taken (or restored).</summary>
    public long LastCheckpointId { get; private set; }

    /// <summary>Whether checkpoint <paramref name="checkpointId"/> is already taken: a second snapshot would see later records.</summary>
    public bool HasTaken(long checkpointId) => checkpointId <= LastCheckpointId;

    /// <summary>
    /// Fills the chain's state stores, before its operators open, with this subtask's share of a checkpoint:
    /// its operator state items and the keyed state chunks that overlap its key groups. That checkpoint and
    /// older ones are behind the subtask from then on.
    /// </summary>
    public async Task RestoreAsync(TaskRestore restore)
    {
        foreach (var (uid, items) in restore.OperatorState)
        {
            state.StateOf(uid)?.SetRestored(restore.CheckpointId, items);
        }

        foreach (var handle in restore.KeyedState)
        {
            KeyedSnapshotBuilder.Restore(await storage.ReadChunkAsync(handle, released), state.StateOf);
        }

        LastCheckpointId = Math.Max(LastCheckpointId, restore.CheckpointId);
    }

    /// <summary>
    /// The synchronous part of a snapshot: captures the state and, with <paramref name="forwardBarrier"/>,
    /// forwards the barrier in this turn, so that nothing processed after the barrier is in it. Cutting
    /// chunks, writing and acknowledging go on in the background.
    /// </summary>
    /// <returns>The snapshot once stored and acknowledged; null when it could not be stored (the checkpoint is declined).</returns>
    public Task<TaskSnapshot?> TakeSnapshot(CheckpointBarrier barrier, bool forwardBarrier)
    {
        LastCheckpointId = Math.Max(LastCheckpointId, barrier.CheckpointId);
        var keyed = new KeyedSnapshotBuilder();
        var captured = state.Snapshot(barrier.CheckpointId, keyed);
        if (forwardBarrier)
        {
            output.EmitBarrier(barrier);
        }

        return PersistAndAcknowledgeAsync(barrier, barrier.Options.Persist ? keyed : null, captured);
    }

    private async Task<TaskSnapshot?> PersistAndAcknowledgeAsync(CheckpointBarrier barrier, KeyedSnapshotBuilder? keyed, ChainSnapshot captured)
    {
        long checkpointId = barrier.CheckpointId;
        try
        {
            // Off the grain's scheduler: cutting chunks copies every byte of the state, and some storage
            // clients do their "async" I/O synchronously (Microsoft.Data.Sqlite does), which on the grain's
            // scheduler would hold the task's turn, and with it the task's input, for the whole write.
            IReadOnlyList<KeyedStateHandle> handles = keyed is null
                ? Array.Empty<KeyedStateHandle>()
                : await Task.Run(() => WriteChunksAsync(storage, task, checkpointId, keyed, chunkBytes, released));
            var snapshot = new TaskSnapshot(task.VertexId, task.Subtask, captured.OperatorState, handles, captured.KeyedOperators);
            await coordinator.AcknowledgeAsync(task, checkpointId, snapshot);
            return snapshot;
        }
        catch (Exception ex) when (!released.IsCancellationRequested)
        {
            logger.LogWarning(ex, "Task {Task} could not store its snapshot for checkpoint {Checkpoint}", task, checkpointId);
            coordinator.DeclineAsync(task, checkpointId, $"Subtask {task.Subtask} of vertex {task.VertexId} could not store its snapshot: {ex.GetBaseException().Message}").Ignore();
            return null;
        }
        catch (Exception)
        {
            // Released while writing: the job has moved on and will not wait for this snapshot.
            return null;
        }
    }

    /// <summary>Static, so that it cannot touch the subtask's state: it runs on the thread pool.</summary>
    private static async Task<IReadOnlyList<KeyedStateHandle>> WriteChunksAsync(
        IChunkStorage storage, TaskId task, long checkpointId, KeyedSnapshotBuilder keyed, int chunkBytes, CancellationToken cancellationToken)
    {
        var chunks = keyed.Build(chunkBytes);
        var handles = new List<KeyedStateHandle>(chunks.Count);
        for (int i = 0; i < chunks.Count; i++)
        {
            var key = SnapshotStore.ChunkKey(task.JobId, checkpointId, task.VertexId, task.Subtask, i);
            handles.Add(await storage.WriteChunkAsync(key, chunks[i], cancellationToken));
        }

        return handles;
    }
}
