using Microsoft.Extensions.Logging;
using OrleansStream.Contracts.Checkpoints;
using OrleansStream.Contracts.Jobs;
using OrleansStream.Runtime.Checkpoints;
using OrleansStream.Runtime.Idling;

namespace OrleansStream.Runtime.Jobs;

/// <summary>
/// Scale to zero (<see cref="Graph.JobGraph.IdleTimeout"/>): once the sources of the running attempt have read nothing
/// for the idle timeout, the job takes a checkpoint at which the sources stop, keeping what each source subtask had read
/// as it last reported (<see cref="Api.Connectors.IWatchableSource.MarkOf"/>); once its sinks have committed it, it
/// releases every task and is <see cref="JobState.Idle"/>. Only the job grain stays, asking the sources' watchers whether
/// there is input beyond those marks; when there is, the job wakes: it restarts from that checkpoint as a new attempt,
/// which costs no restart. The record keeps the marks, so that a job grain activated elsewhere (by the supervision
/// reminder, when silos return after the cluster scaled to zero) watches on.
/// </summary>
internal sealed partial class JobGrain
{
    private readonly SourceActivity _sourceActivity = new(TimeProvider.System);
    private InputWatch? _inputWatch;
    private IGrainTimer? _watchTimer;
    private bool _watchFailing;

    /// <summary>The checkpoint the job goes idle at once its sinks committed it, and what its source subtasks had read before it.</summary>
    private (long CheckpointId, List<SourceInputMark> Marks)? _goingIdle;

    private InputWatch InputWatch => _inputWatch ??= new InputWatch(Graph);

    /// <summary>On the supervisor's tick: starts going idle once the sources have read nothing for the idle timeout.</summary>
    private async Task IdleIfQuietAsync()
    {
        if (_goingIdle is { } going)
        {
            if (_outcomes[going.CheckpointId] is { State: CheckpointOutcomeState.Failed } outcome)
            {
                // The sources read on (their tasks were told the checkpoint was abandoned); the job tries again after another timeout.
                _goingIdle = null;
                _sourceActivity.Reset();
                logger.LogWarning("Job {JobId} stays running: the checkpoint it was to idle at failed: {Failure}", JobId, outcome.Failure);
            }

            return;
        }

        if (Graph.IdleTimeout is not { } timeout || Current is not { State: JobState.Running, Rescaling: null } || _live is not null || _liveDrain is not null
            || _restartRescale is not null || Checkpoints.InProgress is not null)
        {
            return;
        }

        // What every source subtask had read as it last reported: older than what the checkpoint will hold only if it
        // read since, and then the job wakes at once; never newer, so that no input is left behind unread.
        if (_sourceActivity.QuietFor(Execution.SourceRecordsRead()) < timeout || Execution.SourceInputMarks() is not { } marks)
        {
            return;
        }

        _goingIdle = (await Checkpoints.TriggerNowAsync(stopSources: true), marks);
    }

    /// <summary>Whether <paramref name="completed"/> is the checkpoint the job goes idle at: then its sinks have committed it, and the job goes idle.</summary>
    private async Task<bool> IdleAtAsync(CompletedCheckpoint completed)
    {
        if (_goingIdle is not { } going || going.CheckpointId != completed.Id)
        {
            return false;
        }

        _goingIdle = null;
        var record = Record;
        record.Idle(going.Marks);
        try
        {
            await PersistAsync();
        }
        catch (Exception ex)
        {
            // Not idle after all, and its sources have stopped: the attempt restarts from the checkpoint, and reads on.
            (record.State, record.IdleSince, record.IdleMarks) = (JobState.Running, null, null);
            await OnAttemptFailedAsync($"The job could not record that it went idle: {ex.GetBaseException().Message}");
            return true;
        }

        Checkpoints.StopScheduler();
        Execution.Release(record.Attempt);
        logger.LogInformation("Job {JobId} is idle: its sources had no input for {Timeout} s. Its tasks are released; it wakes from checkpoint {Checkpoint} when input arrives",
            JobId, Graph.IdleTimeout!.Value.TotalSeconds, completed.Id);
        WatchInput();
        return true;
    }

    /// <summary>Asks the sources' watchers, every <see cref="Hosting.OrleansStreamOptions.IdleWatchInterval"/>, whether input arrived for the idle job.</summary>
    private void WatchInput()
    {
        var interval = options.Value.IdleWatchInterval;
        _watchTimer ??= this.RegisterGrainTimer(WakeOnInputAsync, new GrainTimerCreationOptions(TimeSpan.Zero, interval) { KeepAlive = true });
    }

    private async Task WakeOnInputAsync()
    {
        if (Current is not { State: JobState.Idle, IdleMarks: { } marks } record)
        {
            StopWatching();
            return;
        }

        string? source;
        try
        {
            source = await InputWatch.ArrivedAsync(marks);
            _watchFailing = false;
        }
        catch (Exception ex)
        {
            // Logged once per outage: the watcher is asked again on the next tick.
            if (!_watchFailing)
            {
                logger.LogWarning("Job {JobId} is idle and cannot tell whether input arrived: {Error}", JobId, ex.Message);
            }

            _watchFailing = true;
            return;
        }

        if (source is null || Current is not { State: JobState.Idle })
        {
            return;
        }

        StopWatching();
        var idleFor = DateTimeOffset.UtcNow - record.IdleSince;
        record.Wake();
        logger.LogInformation("Job {JobId} wakes after {Idle:0.#} s idle: source '{Source}' has input. It restarts from {RestorePoint}",
            JobId, idleFor?.TotalSeconds, source, record.RestorePoint);
        await RestartAsync();
    }

    /// <summary>The job no longer idles, or is no longer to go idle: it ended, it failed, or it woke.</summary>
    private void StopWatching()
    {
        _goingIdle = null;
        _sourceActivity.Reset();
        _watchTimer?.Dispose();
        _watchTimer = null;
    }

    private async Task DisposeInputWatchAsync()
    {
        StopWatching();
        if (_inputWatch is { } watch)
        {
            _inputWatch = null;
            await watch.DisposeAsync();
        }
    }
}
