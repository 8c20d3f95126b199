using Microsoft.Extensions.Logging.Abstractions;
using OrleansStream.Checkpoints;
using OrleansStream.Runtime.Checkpoints;
using OrleansStream.Runtime.Tasks;
using OrleansStream.KeyGroups;
using OrleansStream.State;

namespace OrleansStream.Tests.Runtime;

/// <summary>The task-side checkpoint coordinator without a cluster: chain, outputs, storage and job in memory.</summary>
public sealed class SubtaskCheckpointCoordinatorTests
{
    private static readonly TaskId Task = new("job", 1, 2, 0);
    private static readonly CheckpointBarrier Barrier = new(7, CheckpointOptions.Checkpoint(CheckpointingMode.ExactlyOnce));

    private readonly Chain _chain = new();
    private readonly Outputs _outputs = new();
    private readonly Storage _storage = new();
    private readonly Responder _job = new();

    [Fact]
    public async Task The_state_is_captured_and_the_barrier_forwarded_at_once_and_the_chunks_written_before_the_acknowledgement()
    {
        var coordinator = Coordinator();
        _storage.Gate = new TaskCompletionSource();

        var stored = coordinator.TakeSnapshot(Barrier, forwardBarrier: true);

        // In the turn: state captured (as it was now) and the barrier on its way; nothing acknowledged yet.
        Assert.Equal([7L], _chain.Captured);
        Assert.Equal([Barrier], _outputs.Barriers);
        Assert.True(coordinator.HasTaken(7));
        Assert.Empty(_job.Acknowledged);

        _storage.Gate.SetResult();
        var (task, id, snapshot) = await _job.NextAcknowledgementAsync();
        Assert.Equal((Task, 7L), (task, id));
        Assert.Equal(["job/7/2/0/0"], _storage.Written);
        Assert.Equal("job/7/2/0/0", Assert.Single(snapshot.KeyedState).StorageKey);
        Assert.Equal(["window"], snapshot.KeyedOperators);
        Assert.Equal([[1, 2, 3]], snapshot.OperatorState["source"]);
        Assert.Same(snapshot, await stored);
    }

    [Fact]
    public async Task A_finished_subtask_snapshots_without_forwarding_and_a_commit_only_checkpoint_writes_nothing()
    {
        var coordinator = Coordinator();

        _ = coordinator.TakeSnapshot(new CheckpointBarrier(8, CheckpointOptions.Checkpoint(CheckpointingMode.ExactlyOnce, persist: false)), forwardBarrier: false);

        var (_, id, snapshot) = await _job.NextAcknowledgementAsync();
        Assert.Equal(8, id);
        Assert.Empty(_outputs.Barriers);
        Assert.Empty(_storage.Written);
        Assert.Empty(snapshot.KeyedState);
        Assert.Equal([[1, 2, 3]], snapshot.OperatorState["source"]);
    }

    [Fact]
    public async Task A_failed_write_declines_the_checkpoint_with_the_reason()
    {
        var coordinator = Coordinator();
        _storage.Failure = new IOException("disk full");

        var stored = coordinator.TakeSnapshot(Barrier, forwardBarrier: true);

        var (task, id, reason) = await _job.NextDeclineAsync();
        Assert.Equal((Task, 7L), (task, id));
        Assert.Equal("Subtask 0 of vertex 2 could not store its snapshot: disk full", reason);
        Assert.Empty(_job.Acknowledged);
        Assert.Null(await stored);
    }

    [Fact]
    public async Task After_a_release_a_failed_write_is_not_reported()
    {
        using var released = new CancellationTokenSource();
        var coordinator = Coordinator(released.Token);
        _storage.Gate = new TaskCompletionSource();
        _ = coordinator.TakeSnapshot(Barrier, forwardBarrier: true);

        released.Cancel();
        _storage.Failure = new OperationCanceledException();
        _storage.Gate.SetResult();
        await _storage.Done.Task;

        Assert.Empty(_job.Declined);
        Assert.Empty(_job.Acknowledged);
    }

    [Fact]
    public async Task A_restore_gives_each_operator_its_items_and_its_key_groups_and_puts_the_checkpoint_behind_the_subtask()
    {
        _ = Coordinator().TakeSnapshot(Barrier, forwardBarrier: true);
        var (_, _, snapshot) = await _job.NextAcknowledgementAsync();
        var restoring = new Chain();
        var coordinator = new SubtaskCheckpointCoordinator(Task, restoring, _outputs, _storage, _job, chunkBytes: 1024, CancellationToken.None, NullLogger.Instance);

        await coordinator.RestoreAsync(new TaskRestore(7, snapshot.OperatorState, snapshot.KeyedState));

        Assert.Equal(7, restoring.Stores["source"].RestoredCheckpointId);
        Assert.Equal([[1, 2, 3]], restoring.Stores["source"].RestoredOperatorState);
        Assert.True(restoring.Stores["window"].HasKeyedState);
        Assert.True(coordinator.HasTaken(7));
        Assert.True(coordinator.HasTaken(6));
        Assert.False(coordinator.HasTaken(8));
    }

    private SubtaskCheckpointCoordinator Coordinator(CancellationToken released = default)
        => new(Task, _chain, _outputs, _storage, _job, chunkBytes: 1024, released, NullLogger.Instance);

    private sealed class Chain : ISnapshotSource
    {
        public List<long> Captured { get; } = [];

        public Dictionary<string, OperatorStateStore> Stores { get; } = new()
        {
            ["source"] = new OperatorStateStore("source", 128, new KeyGroupRange(0, 127)),
            ["window"] = new OperatorStateStore("window", 128, new KeyGroupRange(0, 63)),
        };

        public OperatorStateStore? StateOf(string uid) => Stores.GetValueOrDefault(uid);

        public ChainSnapshot Snapshot(long checkpointId, KeyedSnapshotBuilder keyed)
        {
            Captured.Add(checkpointId);
            keyed.BeginTable("window", "counts");
            keyed.BeginEntry(keyGroup: 3).WriteVarInt32(42);
            return new ChainSnapshot(new Dictionary<string, IReadOnlyList<byte[]>> { ["source"] = [[1, 2, 3]] }, ["window"]);
        }
    }

    private sealed class Outputs : IBarrierOutput
    {
        public List<CheckpointBarrier> Barriers { get; } = [];

        public void EmitBarrier(CheckpointBarrier barrier) => Barriers.Add(barrier);
    }

    private sealed class Storage : IChunkStorage
    {
        public TaskCompletionSource? Gate { get; set; }

        public Exception? Failure { get; set; }

        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public List<string> Written { get; } = [];

        public Dictionary<string, byte[]> Chunks { get; } = [];

        public async Task<KeyedStateHandle> WriteChunkAsync(string storageKey, KeyedStateChunk chunk, CancellationToken cancellationToken)
        {
            try
            {
                if (Gate is not null)
                {
                    await Gate.Task;
                }

                if (Failure is not null)
                {
                    throw Failure;
                }

                lock (Written)
                {
                    Written.Add(storageKey);
                    Chunks[storageKey] = chunk.Data;
                }

                return new KeyedStateHandle(storageKey, null, chunk.KeyGroups.StartKeyGroup, chunk.KeyGroups.EndKeyGroup, chunk.Data.Length);
            }
            finally
            {
                Done.TrySetResult();
            }
        }

        public Task<byte[]> ReadChunkAsync(KeyedStateHandle handle, CancellationToken cancellationToken) => System.Threading.Tasks.Task.FromResult(Chunks[handle.StorageKey]);
    }

    private sealed class Responder : ICheckpointResponder
    {
        private readonly TaskCompletionSource<(TaskId, long, TaskSnapshot)> _acknowledged = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource<(TaskId, long, string)> _declined = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public List<long> Acknowledged { get; } = [];

        public List<long> Declined { get; } = [];

        public Task<(TaskId Task, long Id, TaskSnapshot Snapshot)> NextAcknowledgementAsync() => _acknowledged.Task.WaitAsync(TimeSpan.FromMinutes(1));

        public Task<(TaskId Task, long Id, string Reason)> NextDeclineAsync() => _declined.Task.WaitAsync(TimeSpan.FromMinutes(1));

        public Task AcknowledgeAsync(TaskId task, long checkpointId, TaskSnapshot snapshot)
        {
            Acknowledged.Add(checkpointId);
            _acknowledged.TrySetResult((task, checkpointId, snapshot));
            return System.Threading.Tasks.Task.CompletedTask;
        }

        public Task DeclineAsync(TaskId task, long checkpointId, string reason)
        {
            Declined.Add(checkpointId);
            _declined.TrySetResult((task, checkpointId, reason));
            return System.Threading.Tasks.Task.CompletedTask;
        }
    }
}
