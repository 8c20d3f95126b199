using Microsoft.Extensions.Logging;
using OrleansStream.Checkpoints;
using OrleansStream.Contracts.Checkpoints;
using OrleansStream.Contracts.Jobs;
using OrleansStream.Runtime.Tasks;

namespace OrleansStream.Runtime.Checkpoints;

/// <summary>
/// Coordinates one job's checkpoints (Flink's CheckpointCoordinator), beside the job grain that drives
/// it: schedules periodic checkpoints on a timer of its own, starts queued savepoints and the final
/// checkpoint of a finished job, triggers the subtasks that start a checkpoint, collects their
/// acknowledgements, records a completed checkpoint durably and retires old ones, notifies the subtasks
/// so that sinks commit, and abandons a checkpoint that times out or that a subtask declines.
/// </summary>
/// <remarks>
/// At most one checkpoint is pending at a time. Everything runs in the job grain's turns (its timer
/// callback included); only the deletion of snapshots nobody will read goes on in the background.
/// The protocol's participants are the subtasks (<see cref="ICheckpointParticipants"/>); the steps they
/// take part in (triggered, acknowledge, told of completion or abort) are where another kind of
/// participant would join, such as one that moves key groups between subtasks while the job runs.
/// </remarks>
internal sealed class CheckpointCoordinator : IDisposable
{
    private readonly string _jobId;
    private readonly CheckpointConfig _config;
    private readonly int _maxParallelism;
    private readonly ICheckpointLedger _ledger;
    private readonly ICheckpointStorage _storage;
    private readonly ICheckpointParticipants _participants;
    private readonly Func<Task> _persist;
    private readonly Func<Func<Task>, IDisposable> _startTimer;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly CheckpointOutcomes _outcomes;
    private readonly Dictionary<long, CheckpointMetadata> _retainedMetadata = new();
    private PendingCheckpoint? _pending;
    private (long Id, bool StopAfter)? _queuedSavepoint;
    private bool _ticking;
    private int _holds;
    private DateTimeOffset _lastStart = DateTimeOffset.MinValue;
    private DateTimeOffset _lastEnd = DateTimeOffset.MinValue;
    private IDisposable? _timer;

    /// <param name="jobId">The job whose checkpoints these are.</param>
    /// <param name="config">The job's checkpointing configuration.</param>
    /// <param name="maxParallelism">The job's max parallelism, recorded with every checkpoint.</param>
    /// <param name="ledger">The durable part, in the job's record.</param>
    /// <param name="storage">Checkpoint storage.</param>
    /// <param name="participants">The subtasks of the running attempt.</param>
    /// <param name="outcomes">Where what became of each checkpoint is kept.</param>
    /// <param name="persist">Writes the job's record (and so the ledger).</param>
    /// <param name="startTimer">Starts the scheduler's periodic tick in the job grain's turns; disposing it stops it.</param>
    /// <param name="time">The clock.</param>
    /// <param name="logger">Where checkpoints are logged.</param>
    public CheckpointCoordinator(
        string jobId,
        CheckpointConfig config,
        int maxParallelism,
        ICheckpointLedger ledger,
        ICheckpointStorage storage,
        ICheckpointParticipants participants,
        CheckpointOutcomes outcomes,
        Func<Task> persist,
        Func<Func<Task>, IDisposable> startTimer,
        TimeProvider time,
        ILogger logger)
    {
        _jobId = jobId;
        _config = config;
        _maxParallelism = maxParallelism;
        _ledger = ledger;
        _storage = storage;
        _participants = participants;
        _outcomes = outcomes;
        _persist = persist;
        _startTimer = startTimer;
        _time = time;
        _logger = logger;
    }

    /// <summary>The id of the checkpoint in progress, if any.</summary>
    public long? InProgress => _pending?.Id;

    /// <summary>Starts scheduling checkpoints (Flink's startCheckpointScheduler): the attempt runs.</summary>
    public void StartScheduler() => _timer ??= _startTimer(TickAsync);

    /// <summary>Stops scheduling checkpoints: the attempt no longer runs. A pending checkpoint is not touched; <see cref="Abort"/> it.</summary>
    public void StopScheduler()
    {
        _timer?.Dispose();
        _timer = null;
    }

    public void Dispose() => StopScheduler();

    /// <summary>
    /// Holds the scheduler until the returned handle is disposed: it starts no checkpoint or savepoint meanwhile (it
    /// still abandons one that times out). A live rescale moves key groups under a hold, so that no checkpoint sees
    /// one in two places or in none. Holds count: one ending does not lift another.
    /// </summary>
    public IDisposable Hold()
    {
        _holds++;
        return new SchedulerHold(this);
    }

    private bool IsHeld => _holds > 0;

    /// <summary>Completes once no checkpoint is pending: the one in progress completed or was abandoned.</summary>
    public async Task WaitUntilIdleAsync(CancellationToken cancellationToken)
    {
        while (_pending is not null || _ticking)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(10), cancellationToken);
        }
    }

    /// <summary>
    /// Starts a checkpoint now, under a hold that waited until none was pending (a live drain moves subtasks at it), or
    /// when none is pending. It is stored whether or not periodic checkpoints are: the moved subtasks restore from it.
    /// With <paramref name="stopSources"/> the sources read nothing after it (a job that goes idle at it); they read on if it is abandoned.
    /// </summary>
    public async Task<long> TriggerNowAsync(bool stopSources = false)
    {
        if (_pending is not null || _ticking)
        {
            throw new InvalidOperationException($"Job '{_jobId}' has checkpoint {_pending?.Id} in progress; wait until idle under a hold first.");
        }

        long id = _ledger.NextCheckpointId++;
        await TriggerAsync(id, CheckpointOptions.Checkpoint(_config.Mode) with { StopSource = stopSources }, isFinal: false);
        return id;
    }

    /// <summary>
    /// Reserves an id for a savepoint (stored before it is used) and queues it; the scheduler starts it
    /// as soon as no other checkpoint is pending. Throws <see cref="JobStateException"/> when one already waits.
    /// </summary>
    public async Task<long> QueueSavepointAsync(bool stopAfter)
    {
        if (_queuedSavepoint is { } queued)
        {
            throw new JobStateException($"Job '{_jobId}' already has savepoint {queued.Id} waiting to start.");
        }

        long id = _ledger.NextCheckpointId++;
        await _persist();
        _queuedSavepoint = (id, stopAfter);
        _outcomes.InProgress(id);
        return id;
    }

    /// <summary>Drops savepoint <paramref name="id"/> if it still waits to start: it fails with <paramref name="reason"/>.</summary>
    public void CancelQueuedSavepoint(long id, string reason)
    {
        if (_queuedSavepoint?.Id == id)
        {
            _queuedSavepoint = null;
            _outcomes.Failed(id, reason);
        }
    }

    /// <summary>
    /// The scheduler's tick: abandons a pending checkpoint past its timeout, or starts what is due: the
    /// final checkpoint once every subtask has finished, a queued savepoint, or a periodic checkpoint.
    /// </summary>
    internal async Task TickAsync()
    {
        // A tick that starts a checkpoint awaits before the checkpoint is pending: a hold must wait for it too.
        _ticking = true;
        try
        {
            await TickCoreAsync();
        }
        catch (CheckpointNotStartedException ex)
        {
            // Counted and shown as a failed checkpoint; the next tick tries again. One line, not a stack trace per tick.
            _logger.LogWarning("Job {JobId}: {Problem}", _jobId, ex.Message);
        }
        finally
        {
            _ticking = false;
        }
    }

    private async Task TickCoreAsync()
    {
        var now = _time.GetUtcNow();
        if (_pending is { } pending)
        {
            if (now - pending.StartedAt > _config.Timeout)
            {
                Abort($"it did not complete within {_config.Timeout.TotalSeconds:0.###} s");
            }

            return;
        }

        if (IsHeld)
        {
            return;
        }

        if (_participants.AllFinished)
        {
            await TriggerAsync(_ledger.NextCheckpointId++, CheckpointOptions.Checkpoint(_config.Mode, persist: _config.IsEnabled), isFinal: true);
        }
        else if (_queuedSavepoint is { } savepoint)
        {
            _queuedSavepoint = null;
            await TriggerAsync(savepoint.Id, CheckpointOptions.Savepoint(_config.Mode, savepoint.StopAfter), isFinal: false);
        }
        else if (_config.Interval is { } interval && now - _lastStart >= interval && now - _lastEnd >= _config.MinPauseBetweenCheckpoints)
        {
            await TriggerAsync(_ledger.NextCheckpointId++, CheckpointOptions.Checkpoint(_config.Mode), isFinal: false);
        }
    }

    /// <summary>
    /// A subtask finished. If the pending checkpoint's barriers had not reached it before its inputs
    /// ended, it will never see one: its final state is what the checkpoint needs from it.
    /// </summary>
    public void OnTaskFinished(TaskId task)
    {
        if (_pending is { } pending && pending.Expects(task))
        {
            Trigger(task, pending);
        }
    }

    /// <summary>
    /// A subtask's snapshot for <paramref name="checkpointId"/>. Returns the checkpoint when this
    /// acknowledgement completed it; a snapshot nobody waits for (an abandoned checkpoint) is deleted.
    /// </summary>
    public async Task<CompletedCheckpoint?> AcknowledgeAsync(TaskId task, long checkpointId, TaskSnapshot snapshot)
    {
        if (_pending is not { } pending || pending.Id != checkpointId || !pending.Acknowledge(task, snapshot))
        {
            _storage.Discard(snapshot.KeyedState);
            return null;
        }

        return pending.IsComplete ? await CompleteAsync(pending) : null;
    }

    /// <summary>A subtask could not take its snapshot for <paramref name="checkpointId"/>: the checkpoint is abandoned.</summary>
    public void Decline(long checkpointId, string reason)
    {
        if (_pending?.Id == checkpointId)
        {
            Abort(reason);
        }
    }

    /// <summary>Abandons the pending checkpoint, if any: it counts as failed, its snapshots are deleted, and the subtasks stop aligning for it.</summary>
    public void Abort(string reason)
    {
        if (_pending is not { } pending)
        {
            return;
        }

        _pending = null;
        _lastEnd = _time.GetUtcNow();
        _ledger.FailedCheckpoints++;
        _outcomes.Failed(pending.Id, reason);
        _logger.LogWarning("Job {JobId}: {Kind} {Id} abandoned: {Reason}", _jobId, pending.Kind, pending.Id, reason);
        _storage.Discard(pending.Snapshots.SelectMany(s => s.KeyedState));
        foreach (var task in _participants.Tasks)
        {
            _participants.Abort(task, pending.Id);
        }
    }

    /// <summary>
    /// The job ended in <paramref name="state"/>: the scheduler stops, a savepoint still queued fails, and a
    /// finished job's retained checkpoints are retired (nothing is left to recover; savepoints stay). Persist
    /// the record, then <see cref="Delete"/> what this returns.
    /// </summary>
    public IReadOnlyList<CompletedCheckpointInfo> Stop(JobState state)
    {
        StopScheduler();
        if (_queuedSavepoint is { } queued)
        {
            _outcomes.Failed(queued.Id, $"the job ended ({state}) before the savepoint started");
        }

        _queuedSavepoint = null;
        if (state != JobState.Finished)
        {
            return Array.Empty<CompletedCheckpointInfo>();
        }

        var retired = _ledger.Retained.ToList();
        _ledger.Retained.Clear();
        return retired;
    }

    /// <summary>Deletes completed checkpoints from storage in the background (their record no longer lists them).</summary>
    public void Delete(IEnumerable<CompletedCheckpointInfo> checkpoints)
    {
        foreach (var checkpoint in checkpoints)
        {
            _retainedMetadata.Remove(checkpoint.Id, out var metadata);
            _ = DeleteAsync(_storage, _jobId, checkpoint.Id, metadata, _logger);
        }
    }

    private async Task TriggerAsync(long id, CheckpointOptions options, bool isFinal)
    {
        // The id is stored before any task uses it, so that a resumed job never reuses it.
        try
        {
            await _persist();
        }
        catch (Exception ex)
        {
            // Storage is down: a checkpoint that never started is a failed one all the same, and status says so.
            _ledger.FailedCheckpoints++;
            string reason = $"its id could not be stored: {ex.GetBaseException().Message}";
            _outcomes.Failed(id, reason);
            throw new CheckpointNotStartedException($"Checkpoint {id} failed: {reason}", ex);
        }

        var pending = new PendingCheckpoint(new CheckpointBarrier(id, options), isFinal, _participants.Tasks, _time.GetUtcNow());
        _pending = pending;
        _lastStart = pending.StartedAt;
        _outcomes.InProgress(id);

        // Running sources start the barriers; finished tasks snapshot their final state directly.
        foreach (var task in _participants.Tasks)
        {
            if (_participants.IsTriggeredDirectly(task))
            {
                Trigger(task, pending);
            }
        }
    }

    private void Trigger(TaskId task, PendingCheckpoint pending)
    {
        _ = TriggerAsync();

        async Task TriggerAsync()
        {
            string? failure;
            try
            {
                failure = await _participants.TriggerAsync(task, pending.Barrier) ? null : "it is not running";
            }
            catch (Exception ex)
            {
                failure = ex.GetBaseException().Message;
            }

            if (failure is not null && _pending == pending)
            {
                Abort($"{_participants.Describe(task)} could not take part: {failure}");
            }
        }
    }

    private async Task<CompletedCheckpoint?> CompleteAsync(PendingCheckpoint pending)
    {
        _pending = null;
        var now = _time.GetUtcNow();
        var options = pending.Barrier.Options;
        var metadata = new CheckpointMetadata(_jobId, pending.Id, pending.Kind, now, now - pending.StartedAt, _maxParallelism, pending.Snapshots);
        if (options.Persist)
        {
            try
            {
                await _storage.WriteCheckpointAsync(metadata, CancellationToken.None);
            }
            catch (Exception ex)
            {
                _pending = pending;
                Abort($"its metadata could not be stored: {ex.GetBaseException().Message}");
                return null;
            }

            var expired = Record(metadata);
            _ledger.CompletedCheckpoints++;
            await _persist();
            Delete(expired);
        }

        _outcomes.Completed(pending.Id, metadata.Pointer);
        _lastEnd = now;
        _logger.LogDebug("Job {JobId}: {Kind} {Id} complete in {Duration} ms, {Bytes} bytes", _jobId, pending.Kind, pending.Id, metadata.Duration.TotalMilliseconds, metadata.Bytes);

        var notifications = _participants.Tasks.Select(task => _participants.NotifyCompleteAsync(task, pending.Id)).ToList();
        var committed = Task.WhenAll(notifications);
        if (!pending.IsFinal && !options.StopSource)
        {
            // Nobody waits for the commits of a periodic checkpoint: a failed commit fails its task, which restarts the job.
            committed.Ignore();
        }

        return new CompletedCheckpoint(pending.Id, metadata.Pointer, pending.IsFinal, options.StopSource, committed);
    }

    /// <summary>Lists a completed checkpoint in the ledger; returns the retained checkpoints it pushed out.</summary>
    private List<CompletedCheckpointInfo> Record(CheckpointMetadata metadata)
    {
        var info = new CompletedCheckpointInfo(metadata.CheckpointId, metadata.Pointer, metadata.Kind, metadata.CompletedAt, metadata.Duration, metadata.Bytes);
        var expired = new List<CompletedCheckpointInfo>();
        if (metadata.Kind == SnapshotKind.Savepoint)
        {
            _ledger.Savepoints.Add(info);
            return expired;
        }

        _ledger.Retained.Add(info);
        _retainedMetadata[info.Id] = metadata;
        int excess = _ledger.Retained.Count - _config.RetainedCheckpoints;
        if (excess > 0)
        {
            expired.AddRange(_ledger.Retained.Take(excess));
            _ledger.Retained.RemoveRange(0, excess);
        }

        return expired;
    }

    /// <summary>Static, so that the work in the background holds only storage and metadata, not the job (whose graph holds its code).</summary>
    private static async Task DeleteAsync(ICheckpointStorage storage, string jobId, long id, CheckpointMetadata? known, ILogger logger)
    {
        try
        {
            if ((known ?? await storage.ReadCheckpointAsync(jobId, id, CancellationToken.None)) is { } metadata)
            {
                await storage.DeleteCheckpointAsync(metadata, CancellationToken.None);
            }
        }
        catch (Exception ex)
        {
            logger.LogWarning(ex, "Job {JobId}: could not delete checkpoint {Id}", jobId, id);
        }
    }

    private sealed class SchedulerHold(CheckpointCoordinator coordinator) : IDisposable
    {
        private bool _released;

        public void Dispose()
        {
            if (!_released)
            {
                _released = true;
                coordinator._holds--;
            }
        }
    }
}

/// <summary>A checkpoint could not even start: its id could not be stored (the state storage is unreachable).</summary>
internal sealed class CheckpointNotStartedException(string message, Exception inner) : Exception(message, inner);
