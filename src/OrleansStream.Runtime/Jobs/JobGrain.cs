using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansStream.Checkpoints;
using OrleansStream.Contracts.Checkpoints;
using OrleansStream.Contracts.Cluster;
using OrleansStream.Contracts.Jobs;
using OrleansStream.Graph;
using OrleansStream.Runtime.Checkpoints;
using OrleansStream.Runtime.Hosting;
using OrleansStream.Runtime.Placement;
using OrleansStream.Runtime.Tasks;

namespace OrleansStream.Runtime.Jobs;

/// <summary>
/// Runs one job: builds and validates its graph, places subtask i of every vertex in slot i, starts
/// the task grains (consumers before producers, so that no record is sent to a task that is not
/// ready), coordinates checkpoints, and when a task fails or a silo holding its tasks dies, restarts
/// the job under a new attempt from the last completed checkpoint, as its restart strategy allows.
/// </summary>
/// <remarks>
/// The job's record is persisted in checkpoint storage, and while the job runs a reminder keeps the
/// grain alive: if the grain's silo dies, the reminder (or any task's message) reactivates it on
/// another silo, where it releases the tasks of the attempt it can no longer vouch for and restarts
/// the job from its last checkpoint.
/// </remarks>
internal sealed class JobGrain(
    IClusterMembershipService membership,
    ILocalSiloDetails localSilo,
    SnapshotStore snapshots,
    JobGraphFactory graphs,
    IOptions<OrleansStreamOptions> options,
    ILogger<JobGrain> logger) : Grain, IJobGrain, IJobMasterGateway, IRemindable
{
    private const string ReminderName = "supervise";
    private static readonly TimeSpan SlotQueryTimeout = TimeSpan.FromSeconds(2);
    private readonly GrainState<JobRecord> _stored = new();
    private readonly Dictionary<TaskId, TaskReport?> _tasks = new();
    private readonly Dictionary<TaskId, TaskReport> _progress = new();
    private readonly Dictionary<long, CheckpointOutcome> _outcomes = new();
    private readonly Dictionary<long, CheckpointMetadata> _retainedMetadata = new();
    private JobGraph? _graph;
    private IReadOnlyList<SiloAddress> _slots = Array.Empty<SiloAddress>();
    private PendingCheckpoint? _pending;
    private (long Id, bool StopAfter)? _queuedSavepoint;
    private DateTimeOffset _lastCheckpointStart = DateTimeOffset.MinValue;
    private DateTimeOffset _lastCheckpointEnd = DateTimeOffset.MinValue;
    private DateTimeOffset? _restartAt;
    private IGrainTimer? _supervisor;

    /// <summary>Keeps the job's code (an uploaded assembly) loaded on this silo while the grain has the job's graph.</summary>
    private IDisposable? _jobCode;

    /// <summary>The vertices of an ended job as its last status showed them: the graph itself is let go with the job's code.</summary>
    private IReadOnlyList<VertexStatus>? _endedVertices;
    private JobSummary? _announced;

    private string JobId => this.GetPrimaryKeyString();

    /// <summary>The job's record, or null before it is submitted (a storage read of a missing record may still fill in a default object).</summary>
    private JobRecord? Current => _stored.RecordExists ? _stored.State : null;

    private JobRecord Record => Current ?? throw new InvalidOperationException($"Job '{JobId}' was never submitted.");

    /// <summary>The job's graph, built when it was submitted or when the grain activated with a live job.</summary>
    private JobGraph Graph => _graph ?? throw new InvalidOperationException($"Job '{JobId}' has no graph: it was never submitted or it has ended.");

    private static DateTimeOffset Now => DateTimeOffset.UtcNow;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        await snapshots.ReadJobAsync(JobId, _stored, cancellationToken);
        if (Current is not null)
        {
            // The previous activation may have died between persisting and telling the job list.
            Announce(force: true);
        }

        if (Current is { State: JobState.Running or JobState.Restarting } record)
        {
            try
            {
                _jobCode = graphs.Hold(JobId);
                _graph = await graphs.BuildAsync(JobId, record.Submission, cancellationToken);
            }
            catch (Exception ex) when (ex is not JobSubmissionException)
            {
                // Storage unavailable, say: the activation fails and the reminder or a task tries again later.
                ReleaseJobCode();
                throw;
            }
            catch (JobSubmissionException ex)
            {
                ReleaseJobCode();
                // What built the job at submit no longer does (an uploaded assembly lost from storage, a
                // job class no longer deployed): no attempt can start, so the job ends here.
                logger.LogError("Job {JobId} cannot resume supervision: {Error}", JobId, ex.Message);
                record.State = JobState.Failed;
                record.Failure = $"The job could not be rebuilt to resume it: {ex.Message}";
                record.EndedAt = Now;
                await PersistAsync();
                return;
            }

            // The silo that supervised the job is gone, or the grain was collected: the tasks of its
            // attempt may or may not still run, and acknowledgements to the old activation are lost.
            logger.LogWarning("Job {JobId} resumes supervision on this silo; attempt {Attempt} is released and the job restarts from {RestorePoint}",
                JobId, record.Attempt, record.RestorePoint ?? "the beginning");
            ReleaseAttempt(record.Attempt);
            record.State = JobState.Restarting;
            _restartAt = Now;
            Supervise();
        }
    }

    public async Task<JobStatus> SubmitAsync(JobSubmission submission)
    {
        if (Current is { } existing)
        {
            throw new JobSubmissionException($"Job '{JobId}' was already submitted; it is {existing.State}.");
        }

        if (JobId.Contains('/'))
        {
            throw new JobSubmissionException($"Job id '{JobId}' must not contain '/'.");
        }

        _jobCode = graphs.Hold(JobId);
        JobGraph graph;
        CheckpointMetadata? from = null;
        IReadOnlyList<SiloAddress> slots;
        try
        {
            graph = await graphs.BuildAsync(JobId, submission);
            if (submission.FromSavepoint is { } pointer)
            {
                from = await LoadSnapshotAsync(pointer) ?? throw new JobSubmissionException($"Savepoint '{pointer}' was not found in checkpoint storage.");
                Validate(from, graph, submission.AllowNonRestoredState);
            }

            slots = SlotAssignment.Assign(JobId, graph.RequiredSlots, await GetSiloSlotsAsync());
        }
        catch
        {
            // Refused: nothing runs the job, and a later submission under this id builds it again.
            ReleaseJobCode();
            throw;
        }

        _graph = graph;
        _stored.RecordExists = true;
        _stored.State = new JobRecord
        {
            Submission = submission with { JobName = graph.JobName },
            State = JobState.Running,
            Attempt = 1,
            StartedAt = Now,
            StartedFrom = submission.FromSavepoint,
            Slots = graph.RequiredSlots,

            // Ids go on from the savepoint's: restored tasks and sinks order their state by checkpoint id.
            NextCheckpointId = (from?.CheckpointId ?? 0) + 1,
        };
        await PersistAsync();
        await RegisterReminderAsync();
        Supervise();

        logger.LogInformation("Deploying job {JobId} ({JobName}) on {Slots} slots{From}; checkpoints {Checkpoints}; restarts: {Restarts}\n{Plan}",
            JobId, graph.JobName, slots.Count, from is null ? "" : $" from {from.Pointer}",
            graph.Checkpointing.Interval is { } interval ? $"every {interval.TotalSeconds:0.###} s ({graph.Checkpointing.Mode})" : "off",
            graph.RestartStrategy, graph.Describe());
        try
        {
            await DeployAsync(slots, from);
        }
        catch (Exception ex)
        {
            await FailAsync($"Deployment failed: {ex.GetBaseException().Message}");
        }

        return Status();
    }

    public Task<JobStatus> GetStatusAsync() => Task.FromResult(Status());

    public async Task CancelAsync()
    {
        if (Current is { State: JobState.Running or JobState.Restarting })
        {
            AbortPending("the job was canceled");
            await EndAsync(JobState.Canceled, failure: null);
            logger.LogInformation("Job {JobId} canceled", JobId);
        }
    }

    public async Task<long> TriggerSavepointAsync(bool stopAfter)
    {
        if (Current is not { State: JobState.Running } record)
        {
            throw new JobNotRunningException($"Job '{JobId}' is {Current?.State.ToString() ?? "unknown"}; only a running job can take a savepoint.");
        }

        if (_queuedSavepoint is not null)
        {
            throw new JobNotRunningException($"Job '{JobId}' already has savepoint {_queuedSavepoint.Value.Id} waiting to start.");
        }

        long id = record.NextCheckpointId++;
        await PersistAsync();
        _queuedSavepoint = (id, stopAfter);
        _outcomes[id] = new CheckpointOutcome(id, CheckpointOutcomeState.InProgress, null, null);
        return id;
    }

    public Task<CheckpointOutcome?> GetCheckpointAsync(long checkpointId)
        => Task.FromResult(_outcomes.GetValueOrDefault(checkpointId));

    public Task<bool> IsAttemptRunningAsync(int attempt)
        => Task.FromResult(Current is { State: JobState.Running } record && record.Attempt == attempt);

    public Task ReportProgressAsync(TaskReport report)
    {
        if (IsCurrent(report.Task) && _tasks[report.Task] is null)
        {
            _progress[report.Task] = report;
        }

        return Task.CompletedTask;
    }

    public Task OnTaskFinishedAsync(TaskReport report)
    {
        if (!IsCurrent(report.Task))
        {
            return Task.CompletedTask;
        }

        _tasks[report.Task] = report;

        // A task whose inputs all ended before a pending checkpoint's barrier reached it will see no
        // barrier: its final state is what the checkpoint needs from it.
        if (_pending is { } pending && pending.Expects(report.Task))
        {
            TriggerTask(report.Task, pending);
        }

        return Task.CompletedTask;
    }

    public async Task OnTaskFailedAsync(TaskReport report, string error)
    {
        if (!IsCurrent(report.Task))
        {
            return;
        }

        _tasks[report.Task] = report;
        await OnAttemptFailedAsync($"{Graph.Vertex(report.Task.VertexId).Name}: {error}");
    }

    public async Task AcknowledgeCheckpointAsync(TaskId task, long checkpointId, TaskSnapshot snapshot)
    {
        if (!IsCurrent(task) || _pending is not { } pending || pending.Id != checkpointId || !pending.Acknowledge(task, snapshot))
        {
            // A snapshot of an abandoned checkpoint or an older attempt: nothing will ever read it.
            Discard(snapshot.KeyedState);
            return;
        }

        if (pending.IsComplete)
        {
            await CompleteAsync(pending);
        }
    }

    public Task DeclineCheckpointAsync(TaskId task, long checkpointId, string reason)
    {
        if (IsCurrent(task) && _pending?.Id == checkpointId)
        {
            AbortPending(reason);
        }

        return Task.CompletedTask;
    }

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        // Being activated was the point: OnActivateAsync resumed supervision. A reminder of a job that
        // has ended is left over and goes.
        if (Current is null or { State: not (JobState.Running or JobState.Restarting) })
        {
            await UnregisterReminderAsync();
        }
    }

    private bool IsCurrent(TaskId task)
        => Current is { State: JobState.Running } record && task.Attempt == record.Attempt && _tasks.ContainsKey(task);

    private void Supervise()
    {
        // The job grain receives no calls while tasks run quietly; it must not be collected as idle.
        DelayDeactivation(Timeout.InfiniteTimeSpan);
        var interval = options.Value.JobSupervisionInterval;
        _supervisor ??= this.RegisterGrainTimer(SuperviseAsync, new GrainTimerCreationOptions(interval, interval) { KeepAlive = true });
    }

    private async Task SuperviseAsync()
    {
        if (Current is not { } record)
        {
            return;
        }

        if (record.State == JobState.Restarting && _restartAt <= Now)
        {
            await RestartAsync();
        }
        else if (record.State == JobState.Running)
        {
            if (FirstLostSilo() is { } lost)
            {
                await OnAttemptFailedAsync($"Silo {lost}, which ran tasks of the job, is no longer active.");
                return;
            }

            await CoordinateCheckpointsAsync();
        }
    }

    private SiloAddress? FirstLostSilo()
    {
        var snapshot = membership.CurrentSnapshot;
        return _slots.Distinct().FirstOrDefault(silo => snapshot.GetSiloStatus(silo) != SiloStatus.Active);
    }

    private async Task OnAttemptFailedAsync(string cause)
    {
        var record = Record;
        if (record.State != JobState.Running)
        {
            return;
        }

        AbortPending($"attempt {record.Attempt} failed");
        record.LastFailure = cause;
        record.Restarts++;
        var delay = Graph.RestartStrategy.DelayBefore(record.Restarts);
        if (delay is null)
        {
            string failure = record.Restarts == 1 ? cause : $"{cause} (gave up after {record.Restarts - 1} restarts; {Graph.RestartStrategy})";
            await FailAsync(failure);
            return;
        }

        logger.LogWarning("Job {JobId} attempt {Attempt} failed: {Cause}. Restart {Restart} in {Delay} s from {RestorePoint}",
            JobId, record.Attempt, cause, record.Restarts, delay.Value.TotalSeconds, record.RestorePoint ?? "the beginning");
        record.State = JobState.Restarting;
        _restartAt = Now + delay.Value;
        try
        {
            await PersistAsync();
        }
        finally
        {
            ReleaseAttempt(record.Attempt);
        }
    }

    private async Task RestartAsync()
    {
        var record = Record;
        _restartAt = null;
        record.Attempt++;
        record.State = JobState.Running;
        _tasks.Clear();
        _progress.Clear();
        try
        {
            var point = record.RestorePoint;
            var from = point is null ? null : await LoadSnapshotAsync(point) ?? throw new InvalidOperationException($"Restore point {point} is missing from checkpoint storage.");
            var slots = SlotAssignment.Assign(JobId, Graph.RequiredSlots, await GetSiloSlotsAsync());
            await PersistAsync();
            logger.LogInformation("Job {JobId} attempt {Attempt} starting from {RestorePoint}", JobId, record.Attempt, point ?? "the beginning");
            await DeployAsync(slots, from);
        }
        catch (Exception ex)
        {
            await OnAttemptFailedAsync($"Restart failed: {ex.GetBaseException().Message}");
        }
    }

    private async Task DeployAsync(IReadOnlyList<SiloAddress> slots, CheckpointMetadata? from)
    {
        var graph = Graph;
        int attempt = Record.Attempt;
        _slots = slots;
        _tasks.Clear();
        _progress.Clear();
        foreach (var vertex in graph.Vertices)
        {
            for (int subtask = 0; subtask < vertex.Parallelism; subtask++)
            {
                _tasks[new TaskId(JobId, attempt, vertex.Id, subtask)] = null;
            }
        }

        foreach (var vertex in graph.Vertices.Reverse())
        {
            await Task.WhenAll(Enumerable.Range(0, vertex.Parallelism).Select(subtask =>
            {
                var restore = from is null ? null : StateAssignment.For(from, graph, vertex, subtask);
                return StartTaskAsync(new TaskId(JobId, attempt, vertex.Id, subtask), vertex, restore);
            }));
        }
    }

    private async Task StartTaskAsync(TaskId task, JobVertex vertex, TaskRestore? restore)
    {
        Task start;
        using (PlacementHint.On(_slots[Graph.SlotOf(vertex, task.Subtask)]))
        {
            start = TaskGrain(task).StartAsync(new TaskDeployment(task, Record.Submission, restore));
        }

        await start;
    }

    private async Task CoordinateCheckpointsAsync()
    {
        var config = Graph.Checkpointing;
        var now = Now;
        if (_pending is { } pending)
        {
            if (now - pending.StartedAt > config.Timeout)
            {
                AbortPending($"it did not complete within {config.Timeout.TotalSeconds:0.###} s");
            }

            return;
        }

        if (_tasks.Count > 0 && _tasks.Values.All(r => r is not null))
        {
            // Every task has finished: a last checkpoint takes their final state and lets the sinks commit.
            await TriggerAsync(Record.NextCheckpointId++, SnapshotKind.Checkpoint, persist: config.IsEnabled, stopAfter: false, isFinal: true);
        }
        else if (_queuedSavepoint is { } savepoint)
        {
            _queuedSavepoint = null;
            await TriggerAsync(savepoint.Id, SnapshotKind.Savepoint, persist: true, savepoint.StopAfter, isFinal: false);
        }
        else if (config.Interval is { } interval && now - _lastCheckpointStart >= interval && now - _lastCheckpointEnd >= config.MinPauseBetweenCheckpoints)
        {
            await TriggerAsync(Record.NextCheckpointId++, SnapshotKind.Checkpoint, persist: true, stopAfter: false, isFinal: false);
        }
    }

    private async Task TriggerAsync(long id, SnapshotKind kind, bool persist, bool stopAfter, bool isFinal)
    {
        // The id is stored before any task uses it, so that a resumed job never reuses it.
        await PersistAsync();
        var pending = new PendingCheckpoint(id, kind, persist, stopAfter, isFinal, _tasks.Keys, Now);
        _pending = pending;
        _lastCheckpointStart = pending.StartedAt;
        _outcomes[id] = new CheckpointOutcome(id, CheckpointOutcomeState.InProgress, null, null);

        // Running sources start the barriers; finished tasks snapshot their final state directly.
        foreach (var (task, finished) in _tasks)
        {
            if (finished is not null || Graph.Vertex(task.VertexId).IsSource)
            {
                TriggerTask(task, pending);
            }
        }
    }

    private void TriggerTask(TaskId task, PendingCheckpoint pending)
    {
        _ = TriggerTaskAsync();

        async Task TriggerTaskAsync()
        {
            string? failure;
            try
            {
                failure = await TaskGrain(task).TriggerCheckpointAsync(pending.Id, pending.Persist, pending.StopAfter) ? null : "it is not running";
            }
            catch (Exception ex)
            {
                failure = ex.GetBaseException().Message;
            }

            if (failure is not null && _pending == pending)
            {
                AbortPending($"subtask {task.Subtask} of {Graph.Vertex(task.VertexId).Name} could not take part: {failure}");
            }
        }
    }

    private async Task CompleteAsync(PendingCheckpoint pending)
    {
        _pending = null;
        var record = Record;
        var now = Now;
        var metadata = new CheckpointMetadata(JobId, pending.Id, pending.Kind, now, now - pending.StartedAt, Graph.MaxParallelism, pending.Snapshots);
        var info = new CompletedCheckpointInfo(pending.Id, metadata.Pointer, pending.Kind, now, metadata.Duration, metadata.Bytes);
        var expired = new List<CompletedCheckpointInfo>();
        if (pending.Persist)
        {
            try
            {
                await snapshots.WriteCheckpointAsync(metadata, CancellationToken.None);
            }
            catch (Exception ex)
            {
                _pending = pending;
                AbortPending($"its metadata could not be stored: {ex.GetBaseException().Message}");
                return;
            }

            if (pending.Kind == SnapshotKind.Savepoint)
            {
                record.Savepoints.Add(info);
            }
            else
            {
                record.Retained.Add(info);
                _retainedMetadata[info.Id] = metadata;
                int excess = record.Retained.Count - Graph.Checkpointing.RetainedCheckpoints;
                if (excess > 0)
                {
                    expired.AddRange(record.Retained.Take(excess));
                    record.Retained.RemoveRange(0, excess);
                }
            }

            record.CompletedCheckpoints++;
            await PersistAsync();
            foreach (var old in expired)
            {
                _ = DeleteCheckpointAsync(old.Id);
            }
        }

        _outcomes[pending.Id] = new CheckpointOutcome(pending.Id, CheckpointOutcomeState.Completed, metadata.Pointer, null);
        _lastCheckpointEnd = now;
        logger.LogDebug("Job {JobId}: {Kind} {Id} complete in {Duration} ms, {Bytes} bytes", JobId, pending.Kind, pending.Id, metadata.Duration.TotalMilliseconds, metadata.Bytes);

        var notifications = _tasks.Keys.Select(t => TaskGrain(t).NotifyCheckpointCompleteAsync(pending.Id)).ToList();
        if (!pending.IsFinal && !pending.StopAfter)
        {
            notifications.ForEach(n => n.Ignore());
            return;
        }

        // The job ends only once its sinks have committed.
        try
        {
            await Task.WhenAll(notifications);
        }
        catch (Exception ex)
        {
            await OnAttemptFailedAsync($"Committing the final output failed: {ex.GetBaseException().Message}");
            return;
        }

        if (pending.IsFinal)
        {
            logger.LogInformation("Job {JobId} finished in {Elapsed}", JobId, now - record.StartedAt);
            await EndAsync(JobState.Finished, failure: null);
        }
        else
        {
            logger.LogInformation("Job {JobId} stopped with savepoint {Pointer}", JobId, metadata.Pointer);
            await EndAsync(JobState.Stopped, failure: null);
        }
    }

    private void AbortPending(string reason)
    {
        if (_pending is not { } pending)
        {
            return;
        }

        _pending = null;
        _lastCheckpointEnd = Now;
        Record.FailedCheckpoints++;
        _outcomes[pending.Id] = new CheckpointOutcome(pending.Id, CheckpointOutcomeState.Failed, null, reason);
        logger.LogWarning("Job {JobId}: {Kind} {Id} abandoned: {Reason}", JobId, pending.Kind, pending.Id, reason);
        Discard(pending.Snapshots.SelectMany(s => s.KeyedState));
        foreach (var task in _tasks.Keys)
        {
            TaskGrain(task).AbortCheckpointAsync(pending.Id).Ignore();
        }
    }

    private void Discard(IEnumerable<KeyedStateHandle> chunks)
    {
        var list = chunks.ToList();
        if (list.Count > 0)
        {
            _ = DiscardAsync();
        }

        async Task DiscardAsync()
        {
            try
            {
                await snapshots.DeleteChunksAsync(list, CancellationToken.None);
            }
            catch (Exception ex)
            {
                logger.LogWarning(ex, "Job {JobId}: could not delete {Count} state chunks of an abandoned checkpoint", JobId, list.Count);
            }
        }
    }

    private async Task DeleteCheckpointAsync(long id)
    {
        try
        {
            var metadata = _retainedMetadata.Remove(id, out var known) ? known : await snapshots.ReadCheckpointAsync(JobId, id, CancellationToken.None);
            if (metadata is not null)
            {
                await snapshots.DeleteCheckpointAsync(metadata, CancellationToken.None);
            }
        }
        catch (Exception ex)
        {
            logger.LogWarning(ex, "Job {JobId}: could not delete checkpoint {Id}", JobId, id);
        }
    }

    private async Task<CheckpointMetadata?> LoadSnapshotAsync(string pointer)
    {
        var (jobId, id) = SnapshotPointer.Parse(pointer);
        return await snapshots.ReadCheckpointAsync(jobId, id, CancellationToken.None);
    }

    private static void Validate(CheckpointMetadata from, JobGraph graph, bool allowNonRestoredState)
    {
        if (from.MaxParallelism != graph.MaxParallelism)
        {
            throw new JobSubmissionException(
                $"Savepoint {from.Pointer} was taken with max parallelism {from.MaxParallelism} but the job has {graph.MaxParallelism}; they must be equal.");
        }

        var unmatched = StateAssignment.UnmatchedOperators(from, graph);
        if (unmatched.Count > 0 && !allowNonRestoredState)
        {
            throw new JobSubmissionException(
                $"Savepoint {from.Pointer} has state for operators this job does not have ({string.Join(", ", unmatched)}). " +
                "Give the operators the same uids as before, or allow non-restored state to drop it.");
        }
    }

    private async Task FailAsync(string failure)
    {
        logger.LogError("Job {JobId} failed: {Failure}", JobId, failure);
        await EndAsync(JobState.Failed, failure);
    }

    /// <summary>Records the end, lets the tasks go and the grain be collected like any idle grain (its status stays readable).</summary>
    private async Task EndAsync(JobState state, string? failure)
    {
        var record = Record;
        int attempt = record.Attempt;
        record.State = state;
        record.Failure = failure;
        record.EndedAt = Now;
        _restartAt = null;
        _supervisor?.Dispose();
        _supervisor = null;
        var finished = record.Retained.ToList();
        if (state == JobState.Finished)
        {
            // Nothing is left to recover; savepoints stay.
            record.Retained.Clear();
        }

        if (_queuedSavepoint is { } queued)
        {
            _outcomes[queued.Id] = new CheckpointOutcome(queued.Id, CheckpointOutcomeState.Failed, null, $"the job ended ({state}) before the savepoint started");
        }

        _queuedSavepoint = null;
        try
        {
            await PersistAsync();
            await UnregisterReminderAsync();
        }
        finally
        {
            ReleaseAttempt(attempt);
            ForgetGraph();
        }

        DelayDeactivation(TimeSpan.Zero);
        if (state == JobState.Finished)
        {
            foreach (var checkpoint in finished)
            {
                _ = DeleteCheckpointAsync(checkpoint.Id);
            }
        }
    }

    /// <summary>
    /// Lets go of an ended job's graph, which holds the job's code (user lambdas, an uploaded assembly's
    /// types), keeping only what its status shows, so that an uploaded assembly can be unloaded.
    /// </summary>
    private void ForgetGraph()
    {
        _endedVertices = Status().Vertices;
        _graph = null;
        ReleaseJobCode();
    }

    private void ReleaseJobCode()
    {
        _jobCode?.Dispose();
        _jobCode = null;
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        ReleaseJobCode();
        return Task.CompletedTask;
    }

    /// <summary>Releases every task of <paramref name="attempt"/> without waiting: a task on a lost silo may take long to answer.</summary>
    private void ReleaseAttempt(int attempt)
    {
        var graph = Graph;
        foreach (var vertex in graph.Vertices)
        {
            for (int subtask = 0; subtask < vertex.Parallelism; subtask++)
            {
                TaskGrain(new TaskId(JobId, attempt, vertex.Id, subtask)).ReleaseAsync().Ignore();
            }
        }
    }

    private ITaskGrain TaskGrain(TaskId task) => GrainFactory.GetGrain<ITaskGrain>(task.ToString());

    private async Task PersistAsync()
    {
        Record.Revision++;
        await snapshots.WriteJobAsync(JobId, _stored, CancellationToken.None);
        Announce(force: false);
    }

    /// <summary>Tells the job list what changed (most writes are checkpoints, which it does not show), or everything with <paramref name="force"/>.</summary>
    private void Announce(bool force)
    {
        var record = Record;
        var summary = new JobSummary(JobId, record.JobName, record.Submission.Definition, record.State, record.StartedAt ?? Now, record.EndedAt,
            record.Slots, record.Revision);
        if (force || _announced is null || summary with { Revision = _announced.Revision } != _announced)
        {
            _announced = summary;
            GrainFactory.GetGrain<IJobRegistryGrain>(IJobRegistryGrain.Key).UpdateAsync(summary).Ignore();
        }
    }

    private async Task RegisterReminderAsync()
    {
        try
        {
            var period = options.Value.JobReminderPeriod;
            await this.RegisterOrUpdateReminder(ReminderName, period, period);
        }
        catch (Exception ex)
        {
            logger.LogWarning("Job {JobId}: no reminder could be registered ({Error}); if the job grain's silo dies, the job resumes only when one of its tasks calls it",
                JobId, ex.GetBaseException().Message);
        }
    }

    private async Task UnregisterReminderAsync()
    {
        try
        {
            if (await this.GetReminder(ReminderName) is { } reminder)
            {
                await this.UnregisterReminder(reminder);
            }
        }
        catch (Exception ex)
        {
            logger.LogDebug("Job {JobId}: reminder not unregistered: {Error}", JobId, ex.GetBaseException().Message);
        }
    }

    private async Task<IReadOnlyList<SiloSlots>> GetSiloSlotsAsync()
    {
        var silos = membership.CurrentSnapshot.Members.Values
            .Where(m => m.Status == SiloStatus.Active)
            .Select(m => m.SiloAddress)
            .ToList();
        var counts = await Task.WhenAll(silos.Select(async silo =>
        {
            try
            {
                return new SiloSlots(silo, await GrainFactory.GetSlotCountAsync(silo, SlotQueryTimeout));
            }
            catch (Exception ex)
            {
                // A silo that crashed is still listed as active until membership declares it dead;
                // placing tasks there would only fail the restart.
                logger.LogWarning("Job {JobId}: silo {Silo} did not report its slots and gets no tasks: {Error}", JobId, silo, ex.GetBaseException().Message);
                return (SiloSlots?)null;
            }
        }));
        return counts.OfType<SiloSlots>().ToList();
    }

    private JobStatus Status()
    {
        if (Current is not { } record)
        {
            return new JobStatus(JobId, JobId, JobState.Created, 0, null, Array.Empty<VertexStatus>(), null, null,
                new CheckpointStatus(0, 0, null, null, Array.Empty<CompletedCheckpointInfo>(), null, 0, null));
        }

        // An ended job has let go of its graph: its vertices are as they were at the end, or unknown
        // when the grain was reactivated since.
        if (_graph is not { } graph)
        {
            return new JobStatus(JobId, record.JobName, record.State, record.Attempt, record.Failure, _endedVertices ?? Array.Empty<VertexStatus>(), record.StartedAt, record.EndedAt,
                CheckpointsOf(record), localSilo.SiloAddress.ToString());
        }

        var vertices = graph.Vertices.Select(v =>
        {
            var finished = _tasks.Where(t => t.Key.VertexId == v.Id && t.Value is not null).Select(t => t.Value!).ToList();
            var running = _progress.Where(t => t.Key.VertexId == v.Id && _tasks.GetValueOrDefault(t.Key) is null).Select(t => t.Value).ToList();
            var reports = finished.Concat(running).ToList();
            var operators = v.Operators
                .Select((o, i) => new OperatorMetrics(
                    o.Name,
                    reports.Sum(r => r.Operators.ElementAtOrDefault(i)?.RecordsIn ?? 0),
                    reports.Sum(r => r.Operators.ElementAtOrDefault(i)?.RecordsOut ?? 0),
                    running.Sum(r => r.Operators.ElementAtOrDefault(i)?.RecordsInPerSecond ?? 0),
                    running.Sum(r => r.Operators.ElementAtOrDefault(i)?.RecordsOutPerSecond ?? 0)))
                .ToList();
            var slots = Enumerable.Range(0, v.Parallelism).Select(i => _slots.Count > 0 ? _slots[graph.SlotOf(v, i)].ToString() : "?").ToList();
            return new VertexStatus(v.Id, v.Name, v.Parallelism, slots, finished.Count, operators, LowWatermark(v, reports));
        }).ToList();
        return new JobStatus(JobId, record.JobName, record.State, record.Attempt, record.Failure, vertices, record.StartedAt, record.EndedAt, CheckpointsOf(record),
            localSilo.SiloAddress.ToString(), _slots.Select(s => s.ToString()).ToList());
    }

    /// <summary>A vertex's watermark is its slowest subtask's (Flink's low watermark); unknown until every subtask has reported one.</summary>
    private static long? LowWatermark(JobVertex vertex, IEnumerable<TaskReport> reports)
    {
        var watermarks = reports.Select(r => r.Watermark).ToList();
        return watermarks.Count == vertex.Parallelism && watermarks.All(w => w is not null) ? watermarks.Min() : null;
    }

    private CheckpointStatus CheckpointsOf(JobRecord record) => new(
        record.CompletedCheckpoints,
        record.FailedCheckpoints,
        _pending?.Id,
        record.LatestCompleted,
        record.Savepoints.ToList(),
        record.StartedFrom,
        record.Restarts,
        record.LastFailure);
}
