using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansStream.Contracts.Checkpoints;
using OrleansStream.Contracts.Jobs;
using OrleansStream.Contracts.Rescaling;
using OrleansStream.Contracts.Security;
using OrleansStream.Graph;
using OrleansStream.Runtime.Checkpoints;
using OrleansStream.Runtime.Hosting;
using OrleansStream.Runtime.Placement;
using OrleansStream.Runtime.Rescaling;
using OrleansStream.Runtime.Tasks;

namespace OrleansStream.Runtime.Jobs;

/// <summary>
/// The lifecycle of one job (Flink's JobMaster): builds and validates its graph, deploys an attempt on
/// the cluster's task slots, and when a task fails or a silo holding its tasks dies, restarts the job under
/// a new attempt from the last completed checkpoint, as its restart strategy allows, until it ends.
/// Checkpoints are its <see cref="CheckpointCoordinator"/>'s; the attempt's tasks are its <see cref="JobExecution"/>'s.
/// </summary>
/// <remarks>
/// The job's record is persisted, and a reminder (or any task's message) reactivates the grain on another
/// silo if its silo dies: the new activation releases the attempt it cannot vouch for and restarts the job;
/// when its silo stops gracefully instead, the grain hands the running attempt over and the next activation
/// takes it over. Rescaling (live, by a restart, reactive, drains) is in <c>JobGrain.Rescaling.cs</c>.
/// </remarks>
internal sealed partial class JobGrain(
    ILocalSiloDetails localSilo,
    SnapshotStore snapshots,
    JobGraphFactory graphs,
    AttemptPlanner planner,
    RescalePlanner rescalePlanner,
    ClusterSlots clusterSlots,
    SiloDrain drain,
    IOptions<OrleansStreamOptions> options,
    ILogger<JobGrain> logger) : Grain, IJobGrain, IJobMasterGateway, IRemindable
{
    private DurableJobRecord _record = null!;
    private SupervisionReminder _reminder = null!;
    private readonly CheckpointOutcomes _outcomes = new();
    private LoadedJob? _job;
    private IGrainTimer? _supervisor;
    private IGrainTimer? _restart;

    /// <summary>The vertices of an ended job as its last status showed them: the graph itself is let go with the job's code.</summary>
    private IReadOnlyList<VertexStatus>? _endedVertices;

    private string JobId => this.GetPrimaryKeyString();

    /// <summary>The job's record, or null before it is submitted.</summary>
    private JobRecord? Current => _record.Current;

    private JobRecord Record => _record.Value;

    /// <summary>The live job, loaded when it was submitted or when the grain activated with a live job.</summary>
    private LoadedJob Job => _job ?? throw new InvalidOperationException($"Job '{JobId}' is not loaded: it was never submitted or it has ended.");

    private JobGraph Graph => Job.Graph;

    private JobExecution Execution => Job.Execution;

    private CheckpointCoordinator Checkpoints => Job.Checkpoints;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _record = new DurableJobRecord(JobId, snapshots, GrainFactory);
        _reminder = new SupervisionReminder(this, options.Value.JobReminderPeriod, logger);
        await _record.ReadAsync(cancellationToken);
        if (Current is not { State: JobState.Running or JobState.Restarting or JobState.Idle } record)
        {
            return;
        }

        try
        {
            var (graph, code) = await graphs.BuildAndHoldAsync(JobId, record.Submission, cancellationToken);
            Load(graph, code);
        }
        catch (JobSubmissionException ex)
        {
            // What built the job at submit no longer does (an uploaded assembly lost from storage, a
            // job class no longer deployed): no attempt can start, so the job ends here. Anything else
            // (storage unavailable, say) fails the activation: the reminder or a task tries again later.
            logger.LogError("Job {JobId} cannot resume supervision: {Error}", JobId, ex.Message);
            record.End(JobState.Failed, $"The job could not be rebuilt to resume it: {ex.Message}");
            await PersistAsync();
            return;
        }

        if (record.State == JobState.Idle)
        {
            // Its tasks were released as it went idle: it watches its sources' input on from the marks it keeps.
            Supervise();
            WatchInput();
            logger.LogInformation("Job {JobId} is idle since {IdleSince:u}; this silo watches its sources' input", JobId, record.IdleSince);
            return;
        }

        if (record.HandedOverSlots is { } slots)
        {
            // The activation before this one let go in good order (its silo stopped gracefully): the attempt runs on.
            record.HandedOverSlots = null;
            Execution.Adopt(record.Attempt, slots.Select(SiloAddress.FromParsableString).ToList());
            Supervise();
            Checkpoints.StartScheduler();
            await PersistAsync();
            logger.LogInformation("Job {JobId} supervision moved to this silo; attempt {Attempt} runs on", JobId, record.Attempt);
            return;
        }

        if (record.Rescaling is { } interrupted)
        {
            record.UpdateRescale(interrupted.Id, r => r with
            {
                State = RescaleState.Failed,
                EndedAt = DateTimeOffset.UtcNow,
                Failure = "the silo that supervised the job was lost; the job recovers from its last checkpoint",
            });
        }

        // The silo that supervised the job is gone, or the grain was collected: the tasks of its
        // attempt may or may not still run, and acknowledgements to the old activation are lost.
        logger.LogWarning("Job {JobId} resumes supervision on this silo; attempt {Attempt} is released and the job restarts from {RestorePoint}",
            JobId, record.Attempt, record.RestorePoint ?? "the beginning");
        Execution.Release(record.Attempt);
        record.State = JobState.Restarting;
        Supervise();

        // Not at once: the released tasks need a moment to let their slots go.
        ScheduleRestart(options.Value.JobSupervisionInterval);
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

        // Uploaded code runs with the silos' rights: only principals allowed to upload may run it.
        if (submission.Artifact is not null && !Caller.Has(ClusterRoles.Upload))
        {
            throw new AccessDeniedException($"Access denied: '{Caller.Principal}' may not run uploaded job code (its roles: {ClusterRoleNames.Format(Caller.Roles)}).");
        }

        await CheckSavepointOwnerAsync(submission.FromSavepoint);
        submission = submission with { Owner = Caller.Principal };

        if (submission.AdaptiveMaxParallelism is { } max)
        {
            // Reactive mode: as many subtasks as the free slots allow, up to the maximum.
            var capacity = await clusterSlots.CapacityForAsync(JobId);
            submission = Math.Min(max, capacity.Free) is var parallelism and >= 1
                ? submission with { Parallelism = parallelism }
                : throw new Contracts.Cluster.InsufficientSlotsException(JobId, 1, capacity.Free, capacity.Silos.Count);
        }

        var (graph, code) = await graphs.BuildAndHoldAsync(JobId, submission);
        AttemptPlan plan;
        try
        {
            if (submission.FromSavepoint is null && !submission.Append)
            {
                CheckNoEarlierOutput(graph);
            }

            plan = await planner.PlanFirstAsync(JobId, submission, graph);
        }
        catch
        {
            // Refused: nothing runs the job, and a later submission under this id builds it again.
            code.Dispose();
            throw;
        }

        _record.Create(JobRecord.Started(submission with { JobName = graph.JobName }, graph.RequiredSlots, plan.From?.CheckpointId));
        Load(graph, code);
        await PersistAsync();
        await _reminder.RegisterAsync();
        Supervise();

        logger.LogInformation("Deploying job {JobId} ({JobName}) on {Slots} slots{From}; checkpoints {Checkpoints}; restarts: {Restarts}\n{Plan}",
            JobId, graph.JobName, plan.Slots.Count, plan.From is null ? "" : $" from {plan.From.Pointer}",
            graph.Checkpointing.Interval is { } interval ? $"every {interval.TotalSeconds:0.###} s ({graph.Checkpointing.Mode})" : "off",
            graph.RestartStrategy, graph.Describe());
        try
        {
            await DeployAsync(plan);
        }
        catch (Exception ex)
        {
            await EndAsync(JobState.Failed, $"Deployment failed: {ex.GetBaseException().Message}");
        }

        return Status();
    }

    private void CheckNoEarlierOutput(JobGraph graph)
    {
        try
        {
            graph.CheckNoEarlierOutput();
        }
        catch (JobGraphException ex)
        {
            throw new JobSubmissionException(ex.Message, ex.OperatorName);
        }
    }

    public Task<JobStatus> GetStatusAsync()
    {
        CheckCaller();
        return Task.FromResult(Status());
    }

    public async Task CancelAsync()
    {
        CheckCaller();
        if (Current is { State: JobState.Running or JobState.Restarting or JobState.Idle })
        {
            Checkpoints.Abort("the job was canceled");
            await EndAsync(JobState.Canceled, failure: null);
            logger.LogInformation("Job {JobId} canceled", JobId);
        }
    }

    public Task<long> TriggerSavepointAsync(bool stopAfter)
    {
        CheckCaller();
        return Current switch
        {
            { State: JobState.Running } => Checkpoints.QueueSavepointAsync(stopAfter),
            { State: JobState.Idle } idle => throw new JobStateException(
                $"Job '{JobId}' is idle; its state is in checkpoint {idle.RestorePoint}, which a job can start from (cancel this one first), or it wakes when input arrives."),
            var other => throw new JobStateException($"Job '{JobId}' is {other?.State.ToString() ?? "unknown"}; only a running job can take a savepoint."),
        };
    }

    public Task<CheckpointOutcome?> GetCheckpointAsync(long checkpointId)
    {
        CheckCaller();
        return Task.FromResult(_outcomes[checkpointId]);
    }

    /// <summary>A checked caller starts only from savepoints of its own jobs (an admin from any): a savepoint holds a job's state.</summary>
    private async Task CheckSavepointOwnerAsync(string? pointer)
    {
        if (pointer is null || Caller.Principal is null || Caller.Roles.HasFlag(ClusterRoles.Admin))
        {
            return;
        }

        string source;
        try
        {
            source = SnapshotPointer.Parse(pointer).JobId;
        }
        catch (FormatException)
        {
            // Not a pointer: the planner refuses it and says why.
            return;
        }

        var jobs = await GrainFactory.GetGrain<IJobRegistryGrain>(IJobRegistryGrain.Key).ListAsync();
        if (jobs.FirstOrDefault(job => job.JobId == source) is { } job && !Caller.CanSee(job.Owner))
        {
            throw new AccessDeniedException($"Access denied: savepoint '{pointer}' belongs to a job of another principal.");
        }
    }

    /// <summary>On a cluster that checks callers, a client acts only on its own jobs, unless it is an admin.</summary>
    private void CheckCaller()
    {
        if (Current is { } record && !Caller.CanSee(record.Submission.Owner))
        {
            throw new AccessDeniedException($"Access denied: job '{JobId}' belongs to another principal.");
        }
    }

    public Task<bool> IsCurrentAsync(TaskId task) => Task.FromResult(IsCurrent(task));

    public Task ReportProgressAsync(TaskReport report) => WhenCurrent(report.Task, job => job.Execution.OnProgress(report));

    public Task OnTaskFinishedAsync(TaskReport report) => WhenCurrent(report.Task, job =>
    {
        job.Execution.OnEnded(report);
        job.Checkpoints.OnTaskFinished(report.Task);
    });

    public async Task OnTaskFailedAsync(TaskReport report, string error)
    {
        if (IsCurrent(report.Task))
        {
            Execution.OnEnded(report);
            await OnAttemptFailedAsync($"{Execution.VertexName(report.Task)}: {error}");
        }
    }

    public async Task AcknowledgeCheckpointAsync(TaskId task, long checkpointId, TaskSnapshot snapshot)
    {
        if (!IsCurrent(task))
        {
            // A snapshot of an older attempt: nothing will ever read it.
            snapshots.Discard(snapshot.KeyedState);
            return;
        }

        if (await Checkpoints.AcknowledgeAsync(task, checkpointId, snapshot) is not { } completed)
        {
            return;
        }

        if (Execution.FinishedRetired() is { Count: > 0 } retired)
        {
            ReleaseAfterCommitAsync(retired, completed).Ignore();
        }

        if (completed.IsFinal || completed.StopAfter)
        {
            await EndAfterCommitAsync(completed);
        }
    }

    public Task DeclineCheckpointAsync(TaskId task, long checkpointId, string reason) => WhenCurrent(task, job => job.Checkpoints.Decline(checkpointId, reason));

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        // Being activated was the point: OnActivateAsync resumed supervision. A reminder of a job that
        // has ended is left over and goes.
        if (Current is null or { State: not (JobState.Running or JobState.Restarting or JobState.Idle) })
        {
            await _reminder.UnregisterAsync();
        }
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        try
        {
            // Not while a rescale is under way or retired subtasks wait for their final checkpoint: the next activation
            // could not tell them apart, and restarts instead.
            if (reason.ReasonCode == DeactivationReasonCode.ShuttingDown && drain.HasDrained
                && Current is { State: JobState.Running } record && _live is null && _liveDrain is null && _restartRescale is null && !Execution.HasRetired)
            {
                // The silo stops gracefully while the job runs: hand the attempt over to the next activation, which
                // takes it over instead of restarting it. A checkpoint in progress is abandoned; the next one is the new grain's.
                Checkpoints.StopScheduler();
                Checkpoints.Abort("the job's supervision moves to another silo");
                record.HandedOverSlots = Execution.Slots.Select(s => s.ToParsableString()).ToList();
                await PersistAsync().WaitAsync(cancellationToken);
                logger.LogInformation("Job {JobId} hands attempt {Attempt} over to the next silo that supervises it", JobId, record.Attempt);
            }
        }
        catch (Exception ex)
        {
            // Not handed over: the next activation restarts the job from its last checkpoint, as after a crash.
            logger.LogWarning("Job {JobId} could not hand its attempt over: {Error}", JobId, ex.GetBaseException().Message);
        }
        finally
        {
            await DisposeInputWatchAsync();
            _job?.Dispose();
        }
    }

    /// <summary>Whether <paramref name="task"/> belongs to the running attempt: what tasks of other attempts say is stale.</summary>
    private bool IsCurrent(TaskId task)
        => Current is { State: JobState.Running } record && task.Attempt == record.Attempt && _job?.Execution.Contains(task) == true;

    private Task WhenCurrent(TaskId task, Action<LoadedJob> handle)
    {
        if (IsCurrent(task))
        {
            handle(Job);
        }

        return Task.CompletedTask;
    }

    /// <summary>Holds the live job: its graph (and the code it came from), its execution and its checkpoint coordinator.</summary>
    private void Load(JobGraph graph, IDisposable code)
    {
        var execution = new JobExecution(JobId, graph, GrainFactory);
        var interval = options.Value.JobSupervisionInterval;
        var checkpoints = new CheckpointCoordinator(JobId, graph.Checkpointing, graph.MaxParallelism, Record, snapshots, execution, _outcomes, PersistAsync,
            tick => this.RegisterGrainTimer(tick, new GrainTimerCreationOptions(interval, interval) { KeepAlive = true }), TimeProvider.System, logger);
        _job = new LoadedJob(graph, execution, checkpoints, code);
    }

    private void Supervise()
    {
        // The job grain receives no calls while tasks run quietly; it must not be collected as idle.
        DelayDeactivation(Timeout.InfiniteTimeSpan);
        var interval = options.Value.JobSupervisionInterval;
        _supervisor ??= this.RegisterGrainTimer(SuperviseAsync, new GrainTimerCreationOptions(interval, interval) { KeepAlive = true });
    }

    private async Task SuperviseAsync()
    {
        if (_restartRescale is { } pending && _outcomes[pending.SavepointId] is { State: CheckpointOutcomeState.Failed } outcome)
        {
            // The job goes on as it was.
            _restartRescale = null;
            EndRescale(pending.RescaleId, $"its savepoint {pending.SavepointId} failed: {outcome.Failure}");
            await PersistAsync();
        }

        if (Current is { State: JobState.Running } && clusterSlots.FirstLost(Execution.Slots) is { } lost)
        {
            await OnAttemptFailedAsync($"Silo {lost}, which ran tasks of the job, is no longer active.");
            return;
        }

        // Not while the job goes idle: its sources have stopped at the checkpoint it idles at.
        if (_goingIdle is null)
        {
            await ReactAsync();
            await AutoscaleAsync();
        }

        await IdleIfQuietAsync();
    }

    private void ScheduleRestart(TimeSpan delay)
    {
        _restart?.Dispose();
        _restart = this.RegisterGrainTimer(RestartAsync, new GrainTimerCreationOptions(delay, Timeout.InfiniteTimeSpan) { KeepAlive = true });
    }

    private async Task DeployAsync(AttemptPlan plan)
    {
        _autoscaler?.OnChanged(rescaled: false);
        _sourceActivity.Reset();
        await Execution.DeployAsync(Record.Attempt, Graph, plan.Slots, Record.Submission, plan.From);
        Checkpoints.StartScheduler();
    }

    private async Task OnAttemptFailedAsync(string cause)
    {
        var record = Record;
        if (record.State != JobState.Running)
        {
            return;
        }

        Checkpoints.StopScheduler();
        Checkpoints.Abort($"attempt {record.Attempt} failed");
        StopRescale($"attempt {record.Attempt} failed: {cause}");
        StopWatching();
        if (record.AttemptFailed(cause, Graph.RestartStrategy, out string failure) is not { } delay)
        {
            await EndAsync(JobState.Failed, failure);
            return;
        }

        logger.LogWarning("Job {JobId} attempt {Attempt} failed: {Cause}. Restart {Restart} in {Delay} s from {RestorePoint}",
            JobId, record.Attempt, cause, record.Restarts, delay.TotalSeconds, record.RestorePoint ?? "the beginning");
        ScheduleRestart(delay);
        try
        {
            await PersistAsync();
        }
        finally
        {
            Execution.Release(record.Attempt);
        }
    }

    private async Task RestartAsync()
    {
        var record = Record;
        _restart?.Dispose();
        _restart = null;
        if (record.State != JobState.Restarting)
        {
            return;
        }

        bool fits;
        try
        {
            fits = await FitToFreeSlotsAsync();
        }
        catch (Exception ex)
        {
            // The restart goes on at the parallelism the job has; if that does not fit either, it fails as any restart does.
            logger.LogWarning("Job {JobId} could not fit its parallelism to the free slots: {Error}", JobId, ex.GetBaseException().Message);
            fits = true;
        }

        if (!fits)
        {
            // An adaptive job with no free slot waits for one without using up its restarts.
            logger.LogWarning("Job {JobId} waits for a free task slot to restart", JobId);
            ScheduleRestart(options.Value.JobSupervisionInterval * 10);
            return;
        }

        record.NextAttempt();
        Execution.Clear();
        try
        {
            var plan = await planner.PlanRestartAsync(JobId, record.RestorePoint, Graph);
            await PersistAsync();
            logger.LogInformation("Job {JobId} attempt {Attempt} starting from {RestorePoint}", JobId, record.Attempt, record.RestorePoint ?? "the beginning");
            await DeployAsync(plan);
        }
        catch (Exception ex)
        {
            await OnAttemptFailedAsync($"Restart failed: {ex.GetBaseException().Message}");
        }
    }

    /// <summary>After the final checkpoint or a stop-with-savepoint completed: the job ends once its sinks have committed.</summary>
    private async Task EndAfterCommitAsync(CompletedCheckpoint completed)
    {
        try
        {
            await completed.Committed;
        }
        catch (Exception ex)
        {
            await OnAttemptFailedAsync($"Committing the final output failed: {ex.GetBaseException().Message}");
            return;
        }

        if (_restartRescale is { } rescale && rescale.SavepointId == completed.Id)
        {
            await RestartRescaledAsync(rescale.RescaleId, rescale.Plan, completed);
            return;
        }

        if (await IdleAtAsync(completed))
        {
            return;
        }

        if (completed.IsFinal)
        {
            logger.LogInformation("Job {JobId} finished in {Elapsed}", JobId, DateTimeOffset.UtcNow - Record.StartedAt);
        }
        else
        {
            logger.LogInformation("Job {JobId} stopped with savepoint {Pointer}", JobId, completed.Pointer);
        }

        await EndAsync(completed.IsFinal ? JobState.Finished : JobState.Stopped, failure: null);
    }

    /// <summary>Records the end, lets the tasks go and the grain be collected like any idle grain (its status stays readable).</summary>
    private async Task EndAsync(JobState state, string? failure)
    {
        if (failure is not null)
        {
            logger.LogError("Job {JobId} failed: {Failure}", JobId, failure);
        }

        var record = Record;
        StopRescale($"the job ended ({state})");
        await DisposeInputWatchAsync();

        // An idle job's tasks were released as it went idle: releasing them again would only activate them.
        bool tasksRun = record.State != JobState.Idle;
        record.End(state, failure);
        _restart?.Dispose();
        _supervisor?.Dispose();
        (_restart, _supervisor) = (null, null);
        var checkpoints = Checkpoints;
        var retired = checkpoints.Stop(state);
        try
        {
            await PersistAsync();
            await _reminder.UnregisterAsync();
        }
        finally
        {
            // Let go of the graph, which holds the job's code (user lambdas, an uploaded assembly's types),
            // keeping only what its status shows, so that an uploaded assembly can be unloaded.
            if (tasksRun)
            {
                Execution.Release(record.Attempt);
            }

            _endedVertices = Execution.VertexStatuses();
            Job.Dispose();
            _job = null;
        }

        DelayDeactivation(TimeSpan.Zero);
        checkpoints.Delete(retired);
    }

    private Task PersistAsync() => _record.WriteAsync();

    private JobStatus Status() => WithRescaleProgress(JobStatusView.Of(JobId, Current, _job, _endedVertices, localSilo.SiloAddress));
}
