using Microsoft.Extensions.Logging;
using OrleansStream.Contracts.Jobs;
using OrleansStream.Contracts.Rescaling;
using OrleansStream.Runtime.Checkpoints;
using OrleansStream.Runtime.Rescaling;
using OrleansStream.Runtime.Tasks;

namespace OrleansStream.Runtime.Jobs;

/// <summary>
/// The job grain's part in rescaling: rescales that users, reactive mode and drains ask for, each recorded in the
/// job's rescale history; live ones run as a <see cref="LiveRescale"/> beside the grain's calls, others stop the job
/// with a savepoint and restart it from there at the new parallelism. Planning is the <see cref="RescalePlanner"/>'s,
/// the reactive decision the <see cref="ReactiveScaler"/>'s.
/// </summary>
internal sealed partial class JobGrain
{
    /// <summary>The live rescale under way and how to stop it when the attempt ends first.</summary>
    private (LiveRescale Rescale, CancellationTokenSource Cancel)? _live;

    /// <summary>The live drain under way (subtasks moving off a leaving silo) and how to stop it when the attempt ends first.</summary>
    private (long RescaleId, LiveDrain Drain, CancellationTokenSource Cancel)? _liveDrain;

    /// <summary>A rescale that restarts the job: the savepoint it stops the job with, and the job as it restarts.</summary>
    private (long RescaleId, long SavepointId, RescalePlan Plan)? _restartRescale;

    /// <summary>For an adaptive job: when reactive mode last looked at the free slots, and what it decided.</summary>
    private DateTimeOffset _reactiveCheckedAt;
    private ReactiveScaler? _reactive;

    /// <summary>How often an adaptive job asks how many slots are free, and the autoscaler samples busy time.</summary>
    private static readonly TimeSpan ReactiveCheckInterval = TimeSpan.FromSeconds(1);

    /// <summary>The job's autoscaler, when its graph enables one, and when it last sampled.</summary>
    private Autoscaler? _autoscaler;
    private DateTimeOffset _autoscaledAt;

    public async Task<RescaleInfo> RescaleAsync(RescaleRequest request)
    {
        CheckCaller();
        if (Current is not { State: JobState.Running } record)
        {
            throw new JobStateException($"Job '{JobId}' is {Current?.State.ToString() ?? "unknown"}; only a running job can be rescaled.");
        }

        if (record.Rescaling is { } running)
        {
            throw new JobStateException($"Job '{JobId}' is already rescaling (rescale {running.Id}: {string.Join(", ", running.Vertices)}).");
        }

        if (_goingIdle is { } going)
        {
            throw new JobStateException($"Job '{JobId}' is going idle at checkpoint {going.CheckpointId}; rescale it once it has woken.");
        }

        if (Execution.AllFinished || Graph.Vertices.Where(v => v.IsSource).Any(v => Execution.RunningTasksOf(v.Id).Count == 0))
        {
            throw new JobStateException($"Job '{JobId}' has read all its input and is finishing; it is not rescaled.");
        }

        var plan = await rescalePlanner.PlanAsync(JobId, record.Submission, Graph, Execution.Slots, request);
        if (plan.Changes.Count == 0)
        {
            if (request.Parallelism is not null && plan.Submission.Parallelism != record.Submission.Parallelism)
            {
                // No vertex follows the job's parallelism, yet it is the new one (what reactive mode compares with).
                record.Submission = plan.Submission;
                await PersistAsync();
            }

            var now = DateTimeOffset.UtcNow;
            return new RescaleInfo { Id = 0, Trigger = request.Trigger, Mode = plan.Mode, Vertices = plan.Changes, StartedAt = now, State = RescaleState.Completed, EndedAt = now };
        }

        if (plan.Mode == RescaleMode.Live && plan.Stages.FirstOrDefault(stage => ReusesRetired(stage)) is { } reused)
        {
            // A subtask index this attempt retired cannot come back: its channels have ended downstream.
            plan = plan with { Mode = RescaleMode.Restart, WhyNotLive = $"subtasks of '{Graph.Vertex(reused.VertexId).Name}' at those indices were retired earlier in this attempt" };
        }

        return await StartRescaleAsync(request, plan);
    }

    /// <summary>Whether <paramref name="stage"/> scales its vertex up onto subtask indices this attempt already retired.</summary>
    private bool ReusesRetired(RescaleStage stage)
    {
        int now = Graph.Vertex(stage.VertexId).Parallelism;
        return stage.Graph.Vertex(stage.VertexId).Parallelism > now && Execution.RetiredAnyFrom(stage.VertexId, now);
    }

    public async Task<long?> VacateSiloAsync(SiloAddress silo)
    {
        if (Current is not { State: JobState.Running } record || !Execution.Slots.Contains(silo))
        {
            return null;
        }

        if (record.Rescaling is { } running)
        {
            // Under way: the drain waits for it and asks again (a live rescale leaves existing subtasks where they are).
            return running.Id;
        }

        // The draining silo offers no slots any more: an adaptive job takes what the others have, a fixed one needs its own.
        var capacity = await clusterSlots.CapacityForAsync(JobId);
        if (LiveDrainTargets(silo, capacity) is { } moves)
        {
            return StartLiveDrain(silo, moves);
        }

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

    /// <summary>
    /// Where the task slots the job holds on leaving <paramref name="silo"/> can go with their subtasks, live, when the
    /// others have room for the whole job (<see cref="Placement.SlotAssignment.Relocate"/>). Null when they do not, or when
    /// the job cannot move subtasks live (it takes no checkpoints to move them at, or its channels are Orleans streams):
    /// it then moves at a savepoint.
    /// </summary>
    private IReadOnlyDictionary<int, SiloAddress>? LiveDrainTargets(SiloAddress silo, Placement.SlotCapacity capacity)
        => Graph.Checkpointing.IsEnabled && options.Value.ChannelTransport == Channels.Push.PushChannelTransport.Name && capacity.Free >= Execution.Slots.Count
            ? Placement.SlotAssignment.Relocate(Execution.Slots, silo, capacity.Silos)
            : null;

    /// <summary>Records a live drain of the task slots in <paramref name="moves"/> and starts it beside the grain's calls.</summary>
    private long StartLiveDrain(SiloAddress silo, IReadOnlyDictionary<int, SiloAddress> moves)
    {
        var record = Record;
        var drain = new LiveDrain(Execution, moves, record.Submission, options.Value.DrainTimeout, logger);
        var rescale = new RescaleInfo
        {
            Id = record.NextRescaleId,
            Trigger = RescaleTrigger.Drain,
            Mode = RescaleMode.Live,
            Vertices = [],
            StartedAt = DateTimeOffset.UtcNow,
            Reason = $"silo {silo} is leaving: {drain.SubtasksToMove} subtasks in {moves.Count} task slots move to {string.Join(", ", moves.Values.Distinct())} with their state",
        };
        record.AddRescale(rescale);
        logger.LogInformation("Job {JobId} rescale {Id} (drain, live): {Reason}", JobId, rescale.Id, rescale.Reason);
        var cancel = new CancellationTokenSource();
        _liveDrain = (rescale.Id, drain, cancel);
        RunLiveDrainAsync(rescale.Id, drain, cancel.Token).Ignore();
        return rescale.Id;
    }

    private async Task RunLiveDrainAsync(long rescaleId, LiveDrain drain, CancellationToken cancellationToken)
    {
        var checkpoints = Checkpoints;
        using var hold = checkpoints.Hold();
        try
        {
            await PersistAsync();
            await checkpoints.WaitUntilIdleAsync(cancellationToken);
            await drain.RunAsync(checkpoints, cancellationToken);
            _liveDrain = null;
            Record.UpdateRescale(rescaleId, r => drain.Progress(r) with { State = RescaleState.Completed, EndedAt = DateTimeOffset.UtcNow });
            logger.LogInformation("Job {JobId} rescale {Id} done: {Count} subtasks moved live, longest pause {Pause} ms",
                JobId, rescaleId, drain.SubtasksMoved, (long)drain.LongestPause.TotalMilliseconds);
            await PersistAsync();
        }
        catch (Exception) when (cancellationToken.IsCancellationRequested)
        {
            // The attempt ended first; what ended it recorded why.
        }
        catch (Exception ex)
        {
            _liveDrain = null;
            EndRescale(rescaleId, ex.GetBaseException().Message, drain.Progress);
            await OnAttemptFailedAsync($"Moving subtasks off a leaving silo failed: {ex.GetBaseException().Message}");
        }
    }

    public Task OnTaskRelocatedAsync(TaskRelocated relocated) => WhenCurrent(relocated.Task, _ => _liveDrain?.Drain.OnRelocated(relocated));

    /// <summary>Records the rescale and starts it: key groups move live, or the job stops with a savepoint to restart as planned.</summary>
    private async Task<RescaleInfo> StartRescaleAsync(RescaleRequest request, RescalePlan plan)
    {
        var record = Record;
        _autoscaler?.OnChanged(rescaled: request.Trigger == RescaleTrigger.Autoscaler);

        // Queued before anything is recorded: it fails (a savepoint already waits) without leaving a rescale behind.
        long? savepoint = plan.Mode == RescaleMode.Restart ? await Checkpoints.QueueSavepointAsync(stopAfter: true) : null;
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
        if (savepoint is { } id)
        {
            _restartRescale = (rescale.Id, id, plan);
            await PersistAsync();
        }
        else
        {
            // Recorded first: from here a failure recovers at the new parallelism, which the last checkpoint restores as well as the old.
            record.Submission = plan.Submission;
            record.Slots = plan.Graph.RequiredSlots;
            Job.Rescale(plan.Graph);
            await PersistAsync();
            StartLiveRescale(rescale.Id, plan);
        }

        return rescale;
    }

    public Task OnKeyGroupsInstalledAsync(TaskId task, KeyGroupsInstalled installed) => WhenCurrent(task, _ => _live?.Rescale.OnInstalled(installed));

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
        var hold = checkpoints.Hold();
        try
        {
            await checkpoints.WaitUntilIdleAsync(cancellationToken);
            await live.RunAsync(cancellationToken);

            // The slots stay as they are: retired subtasks still run in theirs until a checkpoint holds their final state.
            Execution.Rescale(plan.Graph, plan.Slots);
            if (!plan.Graph.Checkpointing.IsEnabled)
            {
                // No checkpoint will ever hold their final state: their sinks flushed when they finished.
                Execution.Release(Execution.FinishedRetired());
            }

            hold.Dispose();
            Record.UpdateRescale(rescaleId, r => live.Progress(r) with { State = RescaleState.Completed, EndedAt = DateTimeOffset.UtcNow });
            _live = null;
            logger.LogInformation("Job {JobId} rescale {Id} done: {KeyGroups} key groups and {Splits} splits moved, {Bytes} bytes, longest pause {Pause} ms",
                JobId, rescaleId, live.KeyGroupsMoved, live.SplitsMoved, live.BytesMoved, live.LongestPause.TotalMilliseconds);
            await PersistAsync();
        }
        catch (Exception) when (cancellationToken.IsCancellationRequested)
        {
            // The attempt ended first; what ended it recorded why.
        }
        catch (Exception ex)
        {
            _live = null;
            EndRescale(rescaleId, ex.GetBaseException().Message, live.Progress);
            await OnAttemptFailedAsync($"Live rescale {rescaleId} failed: {ex.GetBaseException().Message}");
        }
        finally
        {
            hold.Dispose();
        }
    }

    /// <summary>
    /// The attempt or the job ended while a rescale was under way: a live one stops (the job recovers at the new
    /// parallelism, which was recorded), a restarting one's savepoint is dropped (the job goes on at the old one).
    /// </summary>
    private void StopRescale(string why)
    {
        if (_live is { } live)
        {
            _live = null;
            live.Cancel.Cancel();
            EndRescale(Record.Rescaling?.Id ?? 0, $"{why}; the job recovers at the new parallelism", live.Rescale.Progress);
        }

        if (_liveDrain is { } drain)
        {
            _liveDrain = null;
            drain.Cancel.Cancel();
            EndRescale(drain.RescaleId, $"{why}; the job recovers from its last checkpoint", drain.Drain.Progress);
        }

        if (_restartRescale is { } restart)
        {
            _restartRescale = null;
            Checkpoints.CancelQueuedSavepoint(restart.SavepointId, why);
            EndRescale(restart.RescaleId, why);
        }
    }

    /// <summary>
    /// Records that rescale <paramref name="rescaleId"/> failed with <paramref name="failure"/>, with how far a live one
    /// had got (its <paramref name="progress"/>; the caller persists).
    /// </summary>
    private void EndRescale(long rescaleId, string failure, Func<RescaleInfo, RescaleInfo>? progress = null)
    {
        logger.LogWarning("Job {JobId} rescale {Id} failed: {Failure}", JobId, rescaleId, failure);
        Record.UpdateRescale(rescaleId, r => (progress?.Invoke(r) ?? r) with { State = RescaleState.Failed, EndedAt = DateTimeOffset.UtcNow, Failure = failure });
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
    /// The autoscaler, on the supervision timer: samples each vertex's busy time once a second and rescales the vertices
    /// its policy says, with the metric values as the reason. Nothing while a rescale is under way.
    /// </summary>
    private async Task AutoscaleAsync()
    {
        var now = DateTimeOffset.UtcNow;
        if (Current is not { State: JobState.Running } record || !Graph.Autoscaling.Enabled
            || record.Rescaling is not null || _restartRescale is not null || now - _autoscaledAt < ReactiveCheckInterval)
        {
            return;
        }

        _autoscaledAt = now;
        _autoscaler ??= new Autoscaler(Graph.Autoscaling, TimeProvider.System);
        _autoscaler.Observe(Execution.VertexStatuses());
        if (_autoscaler.Decide(Graph) is not { } decision)
        {
            return;
        }

        logger.LogInformation("Job {JobId} autoscaler: {Reason}", JobId, decision.Reason);
        try
        {
            await RescaleAsync(new RescaleRequest
            {
                Vertices = new Dictionary<string, int>(decision.Vertices),
                Trigger = RescaleTrigger.Autoscaler,
                Reason = decision.Reason,
            });
        }
        catch (Exception ex) when (ex is RescaleRefusedException or Contracts.Cluster.InsufficientSlotsException or JobStateException)
        {
            // Refused (not enough slots, say): it tries again after the job settles.
            _autoscaler.OnChanged(rescaled: false);
            logger.LogInformation("Job {JobId}: autoscaler rescale not made: {Reason}", JobId, ex.Message);
        }
    }

    /// <summary>
    /// An adaptive job that restarts runs at what the free slots allow now (fewer when a silo was lost): its graph is
    /// rebuilt at that parallelism before the attempt is planned, and the change is in its rescale history.
    /// </summary>
    /// <returns>False when no slot is free at all: the restart waits for one (Flink's reactive mode waits for resources too).</returns>
    private async Task<bool> FitToFreeSlotsAsync()
    {
        var record = Record;
        if (record.Submission.AdaptiveMaxParallelism is not { } max)
        {
            return true;
        }

        var capacity = await clusterSlots.CapacityForAsync(JobId);
        int target = Math.Min(max, capacity.Free);
        if (target < 1)
        {
            return false;
        }

        if (target == record.Submission.Parallelism)
        {
            return true;
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
        return true;
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

    /// <summary>The status with the rescale under way as far as it has got.</summary>
    private JobStatus WithRescaleProgress(JobStatus status)
    {
        Func<RescaleInfo, RescaleInfo>? progress = _live is { Rescale: var live } ? live.Progress : _liveDrain is { Drain: var drain } ? drain.Progress : null;
        if (progress is null || status.Rescales is not { Count: > 0 } rescales)
        {
            return status;
        }

        // The rescale under way, with how far its key groups, splits or subtasks have got.
        return status with { Rescales = rescales.Select(r => r.State != RescaleState.InProgress ? r : progress(r)).ToList() };
    }
}
