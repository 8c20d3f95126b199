using Microsoft.Extensions.Logging.Abstractions;
using OrleansStream.Checkpoints;
using OrleansStream.Contracts.Checkpoints;
using OrleansStream.Contracts.Jobs;
using OrleansStream.Runtime.Checkpoints;
using OrleansStream.Runtime.Tasks;
using OrleansStream.Tests.Fixtures;

namespace OrleansStream.Tests.Runtime;

/// <summary>The job-side checkpoint coordinator without a cluster: subtasks, storage and clock in memory.</summary>
public sealed class CheckpointCoordinatorTests
{
    private static readonly TaskId Source = new("job", 1, 0, 0);
    private static readonly TaskId Window = new("job", 1, 1, 0);
    private static readonly TaskId Sink = new("job", 1, 2, 0);

    private readonly ManualTimeProvider _clock = new();
    private readonly Participants _tasks = new([Source, Window, Sink], sources: [Source]);
    private readonly Storage _storage = new();
    private readonly Ledger _ledger = new();
    private readonly CheckpointOutcomes _outcomes = new();
    private int _persisted;

    [Fact]
    public async Task A_periodic_checkpoint_stores_its_id_triggers_the_sources_and_completes_when_every_subtask_acknowledged()
    {
        var coordinator = Coordinator(new CheckpointConfig { Interval = TimeSpan.FromSeconds(10) });

        await coordinator.TickAsync();

        var barrier = Assert.Single(_tasks.Triggered);
        Assert.Equal((Source, 1L), (barrier.Task, barrier.Barrier.CheckpointId));
        Assert.Equal(new CheckpointOptions(SnapshotKind.Checkpoint, Aligned: true, StopSource: false, Persist: true), barrier.Barrier.Options);
        Assert.Equal(1, _persisted);
        Assert.Equal(2, _ledger.NextCheckpointId);
        Assert.Equal(1, coordinator.InProgress);

        Assert.Null(await coordinator.AcknowledgeAsync(Source, 1, Snapshot(Source, 100)));
        Assert.Null(await coordinator.AcknowledgeAsync(Window, 1, Snapshot(Window, 200)));
        var completed = await coordinator.AcknowledgeAsync(Sink, 1, Snapshot(Sink, 0));

        Assert.Equal(new CompletedCheckpoint(1, "job/1", IsFinal: false, StopAfter: false, completed!.Committed), completed);
        var metadata = Assert.Single(_storage.Written);
        Assert.Equal(300, metadata.Bytes);
        Assert.Equal("job/1", Assert.Single(_ledger.Retained).Pointer);
        Assert.Equal(1, _ledger.CompletedCheckpoints);
        Assert.Equal([Source, Window, Sink], _tasks.Notified.Select(n => n.Task));
        Assert.Equal(CheckpointOutcomeState.Completed, _outcomes[1]!.State);
        Assert.Null(coordinator.InProgress);
    }

    [Fact]
    public async Task The_next_checkpoint_waits_for_the_interval_and_the_pause_after_the_last_and_old_ones_are_retired()
    {
        var coordinator = Coordinator(new CheckpointConfig { Interval = TimeSpan.FromSeconds(10), MinPauseBetweenCheckpoints = TimeSpan.FromSeconds(8), RetainedCheckpoints = 2 });
        for (long id = 1; id <= 3; id++)
        {
            await coordinator.TickAsync();
            Assert.Equal(id, coordinator.InProgress);
            _clock.Advance(TimeSpan.FromSeconds(5));
            await CompleteAsync(coordinator, id);

            // 5 s after the start: the interval is not over.
            await coordinator.TickAsync();
            Assert.Null(coordinator.InProgress);

            // 10 s after the start but 5 s after the end: the pause is not over.
            _clock.Advance(TimeSpan.FromSeconds(5));
            await coordinator.TickAsync();
            Assert.Null(coordinator.InProgress);
            _clock.Advance(TimeSpan.FromSeconds(3));
        }

        Assert.Equal(["job/2", "job/3"], _ledger.Retained.Select(c => c.Pointer));
        Assert.Equal(1, Assert.Single(_storage.Deleted).CheckpointId);
    }

    [Fact]
    public async Task A_checkpoint_past_its_timeout_is_abandoned_its_snapshots_deleted_and_the_subtasks_told()
    {
        var coordinator = Coordinator(new CheckpointConfig { Interval = TimeSpan.FromSeconds(1), Timeout = TimeSpan.FromSeconds(30) });
        await coordinator.TickAsync();
        await coordinator.AcknowledgeAsync(Source, 1, Snapshot(Source, 100));

        _clock.Advance(TimeSpan.FromSeconds(30));
        await coordinator.TickAsync();
        Assert.Equal(1, coordinator.InProgress);
        _clock.Advance(TimeSpan.FromMilliseconds(1));
        await coordinator.TickAsync();

        Assert.Null(coordinator.InProgress);
        Assert.Equal(1, _ledger.FailedCheckpoints);
        Assert.Equal("it did not complete within 30 s", _outcomes[1]!.Failure);
        Assert.Equal(["1/0/0"], _storage.Discarded.Select(h => h.StorageKey));
        Assert.Equal([Source, Window, Sink], _tasks.Aborted.Select(a => a.Task));

        // Acknowledgements that come after are deleted too.
        Assert.Null(await coordinator.AcknowledgeAsync(Window, 1, Snapshot(Window, 5)));
        Assert.Equal(["1/0/0", "1/1/0"], _storage.Discarded.Select(h => h.StorageKey));
        Assert.Empty(_storage.Written);
    }

    [Fact]
    public async Task A_declined_or_untriggerable_checkpoint_is_abandoned_with_the_reason()
    {
        var coordinator = Coordinator(new CheckpointConfig { Interval = TimeSpan.FromSeconds(1) });
        await coordinator.TickAsync();
        coordinator.Decline(1, "subtask 0 of window could not store its snapshot: disk full");
        Assert.Equal("subtask 0 of window could not store its snapshot: disk full", _outcomes[1]!.Failure);

        _tasks.Refuse = true;
        _clock.Advance(TimeSpan.FromSeconds(1));
        await coordinator.TickAsync();
        Assert.Equal("subtask 0 of vertex 0 could not take part: it is not running", _outcomes[2]!.Failure);
        Assert.Equal(2, _ledger.FailedCheckpoints);
    }

    [Fact]
    public async Task A_checkpoint_whose_metadata_cannot_be_stored_is_abandoned_and_nothing_is_committed()
    {
        var coordinator = Coordinator(new CheckpointConfig { Interval = TimeSpan.FromSeconds(1) });
        _storage.FailWrites = true;
        await coordinator.TickAsync();

        Assert.Null(await CompleteAsync(coordinator, 1));

        Assert.StartsWith("its metadata could not be stored: ", _outcomes[1]!.Failure);
        Assert.Empty(_ledger.Retained);
        Assert.Empty(_tasks.Notified);
        Assert.Equal(3, _storage.Discarded.Count);
    }

    [Fact]
    public async Task A_checkpoint_whose_id_cannot_be_stored_counts_as_failed_and_the_next_tick_tries_again()
    {
        var coordinator = Coordinator(new CheckpointConfig { Interval = TimeSpan.FromSeconds(1) });
        _persistFails = true;

        await coordinator.TickAsync();
        _clock.Advance(TimeSpan.FromSeconds(1));
        await coordinator.TickAsync();
        _persistFails = false;
        _clock.Advance(TimeSpan.FromSeconds(1));
        await coordinator.TickAsync();

        Assert.Equal(2, _ledger.FailedCheckpoints);
        Assert.Equal("its id could not be stored: the database is down", _outcomes[1]!.Failure);
        Assert.Equal(CheckpointOutcomeState.Failed, _outcomes[2]!.State);
        Assert.Equal(3, coordinator.InProgress);
        Assert.Equal((Source, 3L), (_tasks.Triggered.Single().Task, _tasks.Triggered.Single().Barrier.CheckpointId));
    }

    [Fact]
    public async Task A_savepoint_reserves_its_id_at_once_runs_when_no_checkpoint_is_pending_and_stops_the_sources_when_asked()
    {
        var coordinator = Coordinator(new CheckpointConfig { Interval = TimeSpan.FromSeconds(1) });
        await coordinator.TickAsync();
        long id = await coordinator.QueueSavepointAsync(stopAfter: true);
        Assert.Equal(2, id);
        Assert.Equal(CheckpointOutcomeState.InProgress, _outcomes[2]!.State);
        await Assert.ThrowsAsync<JobStateException>(() => coordinator.QueueSavepointAsync(stopAfter: false));

        // Checkpoint 1 is pending: the savepoint waits for it.
        await coordinator.TickAsync();
        Assert.Equal(1, coordinator.InProgress);
        await CompleteAsync(coordinator, 1);
        await coordinator.TickAsync();

        var savepoint = _tasks.Triggered[^1].Barrier;
        Assert.Equal(new CheckpointBarrier(2, new CheckpointOptions(SnapshotKind.Savepoint, Aligned: true, StopSource: true)), savepoint);
        var completed = await CompleteAsync(coordinator, 2);
        Assert.True(completed!.StopAfter);
        await completed.Committed;
        Assert.Equal(["job/2"], _ledger.Savepoints.Select(s => s.Pointer));
        Assert.Equal(["job/1"], _ledger.Retained.Select(s => s.Pointer));
    }

    [Fact]
    public async Task Once_every_subtask_finished_a_final_checkpoint_reaches_each_directly_and_without_checkpointing_stores_nothing()
    {
        var coordinator = Coordinator(new CheckpointConfig { Mode = CheckpointingMode.AtLeastOnce });
        await coordinator.TickAsync();
        Assert.Empty(_tasks.Triggered);

        _tasks.Finished.UnionWith([Source, Window, Sink]);
        await coordinator.TickAsync();

        Assert.Equal([Source, Window, Sink], _tasks.Triggered.Select(t => t.Task));
        Assert.All(_tasks.Triggered, t => Assert.Equal(new CheckpointOptions(SnapshotKind.Checkpoint, Aligned: false, Persist: false), t.Barrier.Options));
        var completed = await CompleteAsync(coordinator, 1);
        Assert.True(completed!.IsFinal);
        Assert.Empty(_storage.Written);
        Assert.Empty(_ledger.Retained);
        Assert.Equal(0, _ledger.CompletedCheckpoints);
        Assert.Equal(3, _tasks.Notified.Count);
    }

    [Fact]
    public async Task A_subtask_that_finishes_before_the_barriers_reach_it_is_triggered_for_its_final_state()
    {
        var coordinator = Coordinator(new CheckpointConfig { Interval = TimeSpan.FromSeconds(1) });
        await coordinator.TickAsync();
        await coordinator.AcknowledgeAsync(Window, 1, Snapshot(Window, 1));

        _tasks.Finished.Add(Window);
        coordinator.OnTaskFinished(Window);
        _tasks.Finished.Add(Sink);
        coordinator.OnTaskFinished(Sink);

        // The window had acknowledged already; the sink had not.
        Assert.Equal([Source, Sink], _tasks.Triggered.Select(t => t.Task));
    }

    [Fact]
    public async Task Stopping_a_finished_job_fails_a_queued_savepoint_and_retires_its_checkpoints_and_the_scheduler_stops()
    {
        var coordinator = Coordinator(new CheckpointConfig { Interval = TimeSpan.FromSeconds(1) });
        coordinator.StartScheduler();
        Assert.NotNull(_tick);
        await _tick!();
        await CompleteAsync(coordinator, 1);
        await coordinator.QueueSavepointAsync(stopAfter: false);

        var retired = coordinator.Stop(JobState.Finished);

        Assert.Equal(["job/1"], retired.Select(r => r.Pointer));
        Assert.Empty(_ledger.Retained);
        Assert.Equal("the job ended (Finished) before the savepoint started", _outcomes[2]!.Failure);
        Assert.True(_timerStopped);
        coordinator.Delete(retired);
        Assert.Equal(1, Assert.Single(_storage.Deleted).CheckpointId);
    }

    private Func<Task>? _tick;
    private bool _timerStopped;
    private bool _persistFails;

    private CheckpointCoordinator Coordinator(CheckpointConfig config)
        => new("job", config, maxParallelism: 128, _ledger, _storage, _tasks, _outcomes, () =>
        {
            _persisted++;
            return _persistFails ? Task.FromException(new InvalidOperationException("the database is down")) : Task.CompletedTask;
        }, tick =>
        {
            _tick = tick;
            return new Stopper(() => _timerStopped = true);
        }, _clock, NullLogger.Instance);

    private static async Task<CompletedCheckpoint?> CompleteAsync(CheckpointCoordinator coordinator, long id)
    {
        CompletedCheckpoint? completed = null;
        foreach (var task in new[] { Source, Window, Sink })
        {
            completed = await coordinator.AcknowledgeAsync(task, id, Snapshot(task, 1, id));
        }

        return completed;
    }

    private static TaskSnapshot Snapshot(TaskId task, long bytes, long checkpointId = 1)
        => new(task.VertexId, task.Subtask, new Dictionary<string, IReadOnlyList<byte[]>>(),
            bytes == 0 ? [] : [new KeyedStateHandle($"{checkpointId}/{task.VertexId}/{task.Subtask}", null, 0, 127, bytes)], ["op"]);

    private sealed class Stopper(Action stop) : IDisposable
    {
        public void Dispose() => stop();
    }

    private sealed class Ledger : ICheckpointLedger
    {
        public long NextCheckpointId { get; set; } = 1;

        public List<CompletedCheckpointInfo> Retained { get; } = [];

        public List<CompletedCheckpointInfo> Savepoints { get; } = [];

        public long CompletedCheckpoints { get; set; }

        public long FailedCheckpoints { get; set; }
    }

    private sealed class Storage : ICheckpointStorage
    {
        public List<CheckpointMetadata> Written { get; } = [];

        public List<CheckpointMetadata> Deleted { get; } = [];

        public List<KeyedStateHandle> Discarded { get; } = [];

        public bool FailWrites { get; set; }

        public Task WriteCheckpointAsync(CheckpointMetadata metadata, CancellationToken cancellationToken)
        {
            if (FailWrites)
            {
                throw new IOException("the database is gone");
            }

            Written.Add(metadata);
            return Task.CompletedTask;
        }

        public Task<CheckpointMetadata?> ReadCheckpointAsync(string jobId, long checkpointId, CancellationToken cancellationToken)
            => Task.FromResult(Written.FirstOrDefault(m => m.CheckpointId == checkpointId));

        public Task DeleteCheckpointAsync(CheckpointMetadata metadata, CancellationToken cancellationToken)
        {
            Deleted.Add(metadata);
            return Task.CompletedTask;
        }

        public void Discard(IEnumerable<KeyedStateHandle> chunks) => Discarded.AddRange(chunks);
    }

    private sealed class Participants(TaskId[] tasks, TaskId[] sources) : ICheckpointParticipants
    {
        public HashSet<TaskId> Finished { get; } = [];

        public List<(TaskId Task, CheckpointBarrier Barrier)> Triggered { get; } = [];

        public List<(TaskId Task, long Id)> Notified { get; } = [];

        public List<(TaskId Task, long Id)> Aborted { get; } = [];

        public bool Refuse { get; set; }

        public IReadOnlyCollection<TaskId> Tasks => tasks;

        public bool AllFinished => tasks.All(Finished.Contains);

        public bool IsTriggeredDirectly(TaskId task) => Finished.Contains(task) || sources.Contains(task);

        public string Describe(TaskId task) => $"subtask {task.Subtask} of vertex {task.VertexId}";

        public Task<bool> TriggerAsync(TaskId task, CheckpointBarrier barrier)
        {
            Triggered.Add((task, barrier));
            return Task.FromResult(!Refuse);
        }

        public Task NotifyCompleteAsync(TaskId task, long checkpointId)
        {
            Notified.Add((task, checkpointId));
            return Task.CompletedTask;
        }

        public void Abort(TaskId task, long checkpointId) => Aborted.Add((task, checkpointId));
    }
}
