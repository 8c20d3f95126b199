using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansStream.Contracts.Checkpoints;
using OrleansStream.Contracts.Jobs;
using OrleansStream.Contracts.Rescaling;
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
/// silo if its silo dies: the new activation releases the attempt it cannot vouch for and restarts the job.
/// </remarks>
internal sealed class JobGrain(
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

    /// <summary>The live rescale under way and how to stop it when the attempt ends first.</summary>
    private (LiveRescale Rescale, CancellationTokenSource Cancel)? _live;

    /// <summary>A rescale that restarts the job: the savepoint it stops the job with, and the job as it restarts.</summary>
    private (long RescaleId, long SavepointId, RescalePlan Plan)? _restartRescale;

    /// <summary>For an adaptive job: when reactive mode last looked at the free slots, and what it decided.</summary>
    private DateTimeOffset _reactiveCheckedAt;
    private ReactiveScaler? _reactive;

    /// <summary>How often an adaptive job asks how many slots are free.</summary>
    private static readonly TimeSpan ReactiveCheckInterval = TimeSpan.FromSeconds(1);

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
        if (Current is not { State: JobState.Running or JobState.Restarting } record)
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

    public Task<JobStatus> GetStatusAsync() => Task.FromResult(Status());

    public async Task CancelAsync()
    {
        if (Current is { State: JobState.Running or JobState.Restarting })
        {
            Checkpoints.Abort("the job was canceled");
            await EndAsync(JobState.Canceled, failure: null);
            logger.LogInformation("Job {JobId} canceled", JobId);
        }
    }

    public Task<long> TriggerSavepointAsync(bool stopAfter)
        => Current is { State: JobState.Running }
            ? Checkpoints.QueueSavepointAsync(stopAfter)
            : throw new JobStateException($"Job '{JobId}' is {Current?.State.ToString() ?? "unknown"}; only a running job can take a savepoint.");

    public Task<CheckpointOutcome?> GetCheckpointAsync(long checkpointId) => Task.FromResult(_outcomes[checkpointId]);

    public async Task<RescaleInfo> RescaleAsync(RescaleRequest request)
    {
        if (Current is not { State: JobState.Running } record)
        {
            throw new JobStateException($"Job '{JobId}' is {Current?.State.ToString() ?? "unknown"}; only a running job can be rescaled.");
        }

        if (record.Rescaling is { } running)
        {
            throw new JobStateException($"Job '{JobId}' is already rescaling (rescale {running.Id}: {string.Join(", ", running.Vertices)}).");
        }

        if (Execution.AllFinished || Graph.Vertices.Where(v => v.IsSource).Any(v => Execution.RunningTasksOf(v.Id).Count == 0))
        {
            throw new JobStateException($"Job '{JobId}' has read all its input and is finishing; it is not rescaled.");
        }

        var plan = await rescalePlanner.PlanAsync(JobId, record.Submission, Graph, Execution.Slots, request);
        if (plan.Changes.Count == 0)
        {
            var now = DateTimeOffset.UtcNow;
            return new RescaleInfo { Id = 0, Trigger = request.Trigger, Mode = plan.Mode, Vertices = plan.Changes, StartedAt = now, State = RescaleState.Completed, EndedAt = now };
        }

        return await StartRescaleAsync(request, plan);
    }

    public async Task<long?> VacateSiloAsync(SiloAddress silo)
    {
        if (Current is not { State: JobState.Running } record || !Execution.Slots.Contains(silo))
        {
            return null;
        }

        if (record.Rescaling is { } running)
        {
            // Under way: it places what it starts on silos that offer slots, which a draining one does not.
            return running.Id;
        }

        // The draining silo offers no slots any more: an adaptive job takes what the others have, a fixed one needs its own.
        var capacity = await clusterSlots.CapacityForAsync(JobId);
        var request = new RescaleRequest
        {
            Parallelism = record.Submission.AdaptiveMaxParallelism is { } max ? Math.Min(max, capacity.Free) : null,
            Trigger = RescaleTrigger.Drain,
            Reason = $"silo {silo} is leaving",
        };
        if (request.Parallelism is < 1 || (request.Parallelism is null && capacity.Free < Graph.RequiredSlots))
        {
            logger.LogWarning("Job {JobId} cannot move off leaving silo {Silo}: the others have {Free} free task slots, it needs {Required}; it recovers when slots return",
                JobId, silo, capacity.Free, Graph.RequiredSlots);
            return null;
        }

        try
        {
            var plan = await rescalePlanner.PlanAsync(JobId, record.Submission, Graph, Array.Empty<SiloAddress>(), request, restart: true);
            return (await StartRescaleAsync(request, plan)).Id;
        }
        catch (Exception ex) when (ex is RescaleRefusedException or Contracts.Cluster.InsufficientSlotsException or JobStateException)
        {
            logger.LogWarning("Job {JobId} cannot move off leaving silo {Silo}: {Reason}", JobId, silo, ex.Message);
            return null;
        }
    }

    /// <summary>Records the rescale and starts it: key groups move live, or the job stops with a savepoint to restart as planned.</summary>
    private async Task<RescaleInfo> StartRescaleAsync(RescaleRequest request, RescalePlan plan)
    {
        var record = Record;
        var rescale = new RescaleInfo
        {
            Id = record.NextRescaleId,
            Trigger = request.Trigger,
            Mode = plan.Mode,
            Vertices = plan.Changes,
            StartedAt = DateTimeOffset.UtcNow,
            Reason = request.Reason ?? plan.WhyNotLive,
            KeyGroupsToMove = plan.Mode == RescaleMode.Live ? KeyGroupMove.Count(Graph, plan.Graph) : 0,
        };
        record.AddRescale(rescale);
        logger.LogInformation("Job {JobId} rescale {Id} ({Trigger}, {Mode}{Why}): {Changes}", JobId, rescale.Id, rescale.Trigger, rescale.Mode,
            plan.WhyNotLive is null ? "" : $": {plan.WhyNotLive}", plan.Changes.Count == 0 ? "same parallelism" : string.Join(", ", plan.Changes));
        if (plan.Mode == RescaleMode.Live)
        {
            // Recorded first: from here a failure recovers at the new parallelism, which the last checkpoint restores as well as the old.
            record.Submission = plan.Submission;
            record.Slots = plan.Graph.RequiredSlots;
            Job.Rescale(plan.Graph);
            await PersistAsync();
            StartLiveRescale(rescale.Id, plan);
        }
        else
        {
            long savepoint = await Checkpoints.QueueSavepointAsync(stopAfter: true);
            _restartRescale = (rescale.Id, savepoint, plan);
            await PersistAsync();
        }

        return rescale;
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

    public Task OnKeyGroupsInstalledAsync(TaskId task, KeyGroupsInstalled installed) => WhenCurrent(task, _ => _live?.Rescale.OnInstalled(installed));

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        // Being activated was the point: OnActivateAsync resumed supervision. A reminder of a job that
        // has ended is left over and goes.
        if (Current is null or { State: not (JobState.Running or JobState.Restarting) })
        {
            await _reminder.UnregisterAsync();
        }
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        try
        {
            if (reason.ReasonCode == DeactivationReasonCode.ShuttingDown && drain.HasDrained
                && Current is { State: JobState.Running } record && _live is null && _restartRescale is null)
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

        await ReactAsync();
    }

    private void ScheduleRestart(TimeSpan delay)
    {
        _restart?.Dispose();
        _restart = this.RegisterGrainTimer(RestartAsync, new GrainTimerCreationOptions(delay, Timeout.InfiniteTimeSpan) { KeepAlive = true });
    }

    private async Task DeployAsync(AttemptPlan plan)
    {
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
        StopLiveRescale($"attempt {record.Attempt} failed: {cause}");
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

        record.NextAttempt();
        Execution.Clear();
        try
        {
            await FitToFreeSlotsAsync();
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

    /// <summary>
    /// Subtasks a live rescale retired are in the checkpoint that just completed, with their final state: they go once
    /// their sinks have committed it (a failed commit is the attempt's failure, which releases them anyway).
    /// </summary>
    private async Task ReleaseAfterCommitAsync(IReadOnlyList<TaskId> retired, CompletedCheckpoint completed)
    {
        await completed.Committed;
        if (_job is { } job)
        {
            job.Execution.Release(retired);
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
        StopLiveRescale($"the job ended ({state})");
        if (_restartRescale is { } restartRescale)
        {
            _restartRescale = null;
            EndRescale(restartRescale.RescaleId, $"the job ended ({state})");
        }

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
            Execution.Release(record.Attempt);
            _endedVertices = Execution.VertexStatuses();
            Job.Dispose();
            _job = null;
        }

        DelayDeactivation(TimeSpan.Zero);
        checkpoints.Delete(retired);
    }

    private Task PersistAsync() => _record.WriteAsync();

    private JobStatus Status()
    {
        var status = JobStatusView.Of(JobId, Current, _job, _endedVertices, localSilo.SiloAddress);
        if (_live is not { Rescale: var live } || status.Rescales is not { Count: > 0 } rescales)
        {
            return status;
        }

        // The rescale under way, with how far its key groups have got.
        return status with
        {
            Rescales = rescales.Select(r => r.State != RescaleState.InProgress ? r : r with
            {
                KeyGroupsToMove = live.KeyGroupsToMove,
                KeyGroupsMoved = live.KeyGroupsMoved,
                BytesMoved = live.BytesMoved,
                HeldRecords = live.HeldRecords,
                LongestPause = live.LongestPause,
            }).ToList(),
        };
    }

    /// <summary>Starts moving key groups for rescale <paramref name="rescaleId"/>; it runs beside the grain's calls, which its steps wait on.</summary>
    private void StartLiveRescale(long rescaleId, RescalePlan plan)
    {
        var record = Record;
        var settings = new RescaleSettings(options.Value.RescaleKeyGroupsPerStep, options.Value.RescaleStepInterval, options.Value.RescaleStepTimeout);
        var live = new LiveRescale(JobId, record.Attempt, Execution, Execution.Graph, plan, settings, () => record.NextRescaleStep++, logger);
        var cancel = new CancellationTokenSource();
        _live = (live, cancel);
        RunLiveRescaleAsync(rescaleId, plan, live, cancel.Token).Ignore();
    }

    private async Task RunLiveRescaleAsync(long rescaleId, RescalePlan plan, LiveRescale live, CancellationToken cancellationToken)
    {
        var checkpoints = Checkpoints;
        checkpoints.IsHeld = true;
        try
        {
            await checkpoints.WaitUntilIdleAsync(cancellationToken);
            await live.RunAsync(cancellationToken);
            Execution.Rescale(plan.Graph, plan.Slots.Take(plan.Graph.RequiredSlots).ToList());
            Record.UpdateRescale(rescaleId, r => r with
            {
                State = RescaleState.Completed,
                EndedAt = DateTimeOffset.UtcNow,
                KeyGroupsToMove = live.KeyGroupsToMove,
                KeyGroupsMoved = live.KeyGroupsMoved,
                BytesMoved = live.BytesMoved,
                HeldRecords = live.HeldRecords,
                LongestPause = live.LongestPause,
            });
            _live = null;
            logger.LogInformation("Job {JobId} rescale {Id} done: {KeyGroups} key groups moved, {Bytes} bytes, longest pause {Pause} ms",
                JobId, rescaleId, live.KeyGroupsMoved, live.BytesMoved, live.LongestPause.TotalMilliseconds);
            await PersistAsync();
        }
        catch (Exception) when (cancellationToken.IsCancellationRequested)
        {
            // The attempt ended first; what ended it recorded why.
        }
        catch (Exception ex)
        {
            _live = null;
            EndRescale(rescaleId, ex.GetBaseException().Message);
            await OnAttemptFailedAsync($"Live rescale {rescaleId} failed: {ex.GetBaseException().Message}");
        }
        finally
        {
            checkpoints.IsHeld = false;
        }
    }

    /// <summary>The attempt or the job ended while key groups moved: the rescale stops, and ends with the new parallelism recorded.</summary>
    private void StopLiveRescale(string why)
    {
        if (_live is { } live)
        {
            _live = null;
            live.Cancel.Cancel();
            EndRescale(Record.Rescaling?.Id ?? 0, $"{why}; the job recovers at the new parallelism");
        }
    }

    /// <summary>Records that rescale <paramref name="rescaleId"/> failed with <paramref name="failure"/> (the caller persists).</summary>
    private void EndRescale(long rescaleId, string failure)
    {
        logger.LogWarning("Job {JobId} rescale {Id} failed: {Failure}", JobId, rescaleId, failure);
        Record.UpdateRescale(rescaleId, r => r with { State = RescaleState.Failed, EndedAt = DateTimeOffset.UtcNow, Failure = failure });
    }

    /// <summary>
    /// Reactive mode, on the supervision timer: an adaptive job that runs, once a second, compares its parallelism with
    /// what the free slots allow and rescales once that has held for the stabilization window.
    /// </summary>
    private async Task ReactAsync()
    {
        var now = DateTimeOffset.UtcNow;
        if (Current is not { State: JobState.Running, Submission.AdaptiveMaxParallelism: { } max } record
            || record.Rescaling is not null || _restartRescale is not null || now - _reactiveCheckedAt < ReactiveCheckInterval)
        {
            return;
        }

        _reactiveCheckedAt = now;
        var capacity = await clusterSlots.CapacityForAsync(JobId);
        _reactive ??= new ReactiveScaler(options.Value.ReactiveStabilization, TimeProvider.System);
        if (_reactive.Decide(record.Submission.Parallelism, max, capacity.Free) is not { } target || Current is not { State: JobState.Running })
        {
            return;
        }

        try
        {
            await RescaleAsync(new RescaleRequest
            {
                Parallelism = target,
                Trigger = RescaleTrigger.Reactive,
                Reason = $"{capacity.Free} of {capacity.Total} task slots free for it (adaptive up to {max})",
            });
        }
        catch (Exception ex) when (ex is RescaleRefusedException or Contracts.Cluster.InsufficientSlotsException or JobStateException)
        {
            logger.LogInformation("Job {JobId}: reactive rescale to {Target} not made: {Reason}", JobId, target, ex.Message);
        }
    }

    /// <summary>
    /// An adaptive job that restarts runs at what the free slots allow now (fewer when a silo was lost): its graph is
    /// rebuilt at that parallelism before the attempt is planned, and the change is in its rescale history.
    /// </summary>
    private async Task FitToFreeSlotsAsync()
    {
        var record = Record;
        if (record.Submission.AdaptiveMaxParallelism is not { } max)
        {
            return;
        }

        var capacity = await clusterSlots.CapacityForAsync(JobId);
        int target = Math.Min(max, capacity.Free);
        if (target < 1 || target == record.Submission.Parallelism)
        {
            return;
        }

        var request = new RescaleRequest
        {
            Parallelism = target,
            Trigger = RescaleTrigger.Reactive,
            Reason = $"restarting on {capacity.Free} of {capacity.Total} free task slots (adaptive up to {max})",
        };
        var plan = await rescalePlanner.PlanAsync(JobId, record.Submission, Graph, Array.Empty<SiloAddress>(), request, restart: true);
        var now = DateTimeOffset.UtcNow;
        await ReloadAsync(plan.Submission);
        record.AddRescale(new RescaleInfo
        {
            Id = record.NextRescaleId,
            Trigger = request.Trigger,
            Mode = RescaleMode.Restart,
            Vertices = plan.Changes,
            StartedAt = now,
            EndedAt = DateTimeOffset.UtcNow,
            State = RescaleState.Completed,
            Reason = request.Reason,
        });
        logger.LogInformation("Job {JobId} restarts at parallelism {Target}: {Reason}", JobId, target, request.Reason);
    }

    /// <summary>Holds the job rebuilt from <paramref name="submission"/> (another parallelism) in place of the one it held; the record says so.</summary>
    private async Task ReloadAsync(JobSubmission submission)
    {
        var (graph, code) = await graphs.BuildAndHoldAsync(JobId, submission);
        _job?.Dispose();
        Load(graph, code);
        Record.Submission = submission;
        Record.Slots = graph.RequiredSlots;
    }

    /// <summary>
    /// The savepoint a restarting rescale stopped the job with is complete and committed: the job starts again from it
    /// at the new parallelism, under a new attempt.
    /// </summary>
    private async Task RestartRescaledAsync(long rescaleId, RescalePlan plan, CompletedCheckpoint savepoint)
    {
        _restartRescale = null;
        var record = Record;
        Checkpoints.StopScheduler();
        Execution.Release(record.Attempt);
        try
        {
            await ReloadAsync(plan.Submission);
            record.NextAttempt();
            var attempt = await planner.PlanRestartAsync(JobId, savepoint.Pointer, Graph);
            await PersistAsync();
            await DeployAsync(attempt);
            record.UpdateRescale(rescaleId, r => r with { State = RescaleState.Completed, EndedAt = DateTimeOffset.UtcNow, LongestPause = DateTimeOffset.UtcNow - r.StartedAt });
            logger.LogInformation("Job {JobId} rescale {Id} done: attempt {Attempt} runs from savepoint {Pointer}", JobId, rescaleId, record.Attempt, savepoint.Pointer);
            await PersistAsync();
        }
        catch (Exception ex)
        {
            EndRescale(rescaleId, ex.GetBaseException().Message);
            await OnAttemptFailedAsync($"Restarting at the new parallelism failed: {ex.GetBaseException().Message}");
        }
    }
}
