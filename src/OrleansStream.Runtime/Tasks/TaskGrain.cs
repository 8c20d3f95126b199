using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Placement;
using Orleans.Streams;
using OrleansStream.Connectors;
using OrleansStream.Contracts.Jobs;
using OrleansStream.Operators;
using OrleansStream.Runtime.Channels;
using OrleansStream.Runtime.Checkpoints;
using OrleansStream.Runtime.Hosting;
using OrleansStream.Runtime.Jobs;
using OrleansStream.Runtime.Placement;
using OrleansStream.State;

namespace OrleansStream.Runtime.Tasks;

/// <summary>
/// The task loop of one subtask. Input envelopes arrive on the task's own stream and run through
/// the input gate and the operator chain in one turn; what the chain produced is sent before the
/// next envelope is taken, so a full channel downstream slows this task and, through it, its
/// producers. A source task reads its splits in slices on a timer. A tick drives processing time:
/// watermark generation, processing-time windows, sink flushes and the buffer timeout.
/// </summary>
/// <remarks>
/// Checkpoints: when a barrier has been aligned (or a source is triggered) the task captures its
/// operators' state synchronously, forwards the barrier, and writes the snapshot to checkpoint
/// storage in the background, on the thread pool, while it goes on processing; then it acknowledges to the job grain. A
/// finished task keeps its operators open until the job releases it, so that it can still snapshot
/// its final state and commit when the final checkpoint completes.
/// </remarks>
[ImplicitStreamSubscription(ChannelNames.Namespace)]
[TaskSlotPlacement]
[Immovable]
[GrainType("orleansstream.task")]
internal sealed class TaskGrain : Grain, ITaskGrain, IAsyncObserver<StreamEnvelope>, IInputHandler
{
    private readonly OrleansStreamOptions _options;
    private readonly SnapshotStore _snapshots;
    private readonly JobGraphFactory _graphs;
    private readonly ILogger<TaskGrain> _logger;
    private readonly CancellationTokenSource _released = new();
    private TaskState _state = TaskState.Created;
    private TaskId _task;
    private OperatorChain _chain = null!;
    private NetworkOutputs _network = null!;
    private InputGate? _gate;
    private IGrainTimer? _tick;
    private IGrainTimer? _sourceTimer;
    private IGrainTimer? _lease;
    private IGrainTimer? _metrics;
    private readonly ThroughputMeter _meter = new(TimeProvider.System);
    private long _lastSnapshot;
    private bool _chainClosed;

    /// <summary>Keeps the job's code (an uploaded assembly) loaded on this silo until the task deactivates.</summary>
    private IDisposable? _jobCode;

    public TaskGrain(IOptions<OrleansStreamOptions> options, SnapshotStore snapshots, JobGraphFactory graphs, ILogger<TaskGrain> logger)
    {
        _options = options.Value;
        _snapshots = snapshots;
        _graphs = graphs;
        _logger = logger;
    }

    private enum TaskState
    {
        Created,
        Running,
        Finished,
        Failed,
        Canceled,
    }

    private IStreamProvider Streams => this.GetStreamProvider(_options.StreamProvider);

    private IJobMasterGateway Job => GrainFactory.GetGrain<IJobMasterGateway>(_task.JobId);

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var input = Streams.GetStream<StreamEnvelope>(ChannelNames.InputStreamOf(this.GetPrimaryKeyString()));
        await input.SubscribeAsync(this);
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        // Last: the chain is closed (or abandoned with the activation), so nothing here runs the job's code again.
        _jobCode?.Dispose();
        _jobCode = null;
        return Task.CompletedTask;
    }

    public async Task StartAsync(TaskDeployment deployment)
    {
        if (_state != TaskState.Created)
        {
            return;
        }

        _task = deployment.Task;
        _jobCode ??= _graphs.Hold(_task.JobId);
        var graph = await _graphs.BuildAsync(_task.JobId, deployment.Submission);
        var vertex = graph.Vertex(_task.VertexId);
        _network = new NetworkOutputs(Streams, _task, graph.MaxParallelism, _options.BatchSize);
        _chain = OperatorChain.Create(vertex, _network);
        var mailbox = TaskMailbox.OfCurrentActivation(RunPostedAsync);
        _chain.CreateContexts(node => new OperatorContext(_task.JobId, _task.Attempt, node.Name, _task.Subtask, vertex.Parallelism, graph.MaxParallelism, TimeProvider.System)
        {
            OperatorId = node.Uid,
            Mailbox = mailbox,
        });
        if (deployment.Restore is { } restore)
        {
            await RestoreAsync(restore);
        }

        _chain.Open();
        if (deployment.Restore is { } restored)
        {
            _lastSnapshot = restored.CheckpointId;

            // What was pre-committed for the restored checkpoint may never have been committed.
            await _chain.NotifyCheckpointCompleteAsync(restored.CheckpointId, _released.Token);
        }

        if (_state != TaskState.Created)
        {
            // Released while restoring: the job has moved on.
            return;
        }

        _gate = vertex.IsSource ? null : new InputGate(vertex, _task.Subtask, _task.Attempt, graph.Checkpointing.Mode);
        _state = TaskState.Running;

        // The timers keep the task active: a source receives no calls, and a quiet stream may send none.
        _tick = this.RegisterGrainTimer(TickAsync, new GrainTimerCreationOptions(_options.TickInterval, _options.TickInterval) { KeepAlive = true });
        if (_chain.Source is not null)
        {
            _sourceTimer = this.RegisterGrainTimer(ReadSourceAsync, new GrainTimerCreationOptions(TimeSpan.Zero, _options.SourceIdlePollInterval) { KeepAlive = true });
        }

        // A lost release must not leave the task running (or, finished, held active) forever.
        _lease = this.RegisterGrainTimer(CheckAttemptAsync, new GrainTimerCreationOptions(_options.TaskLeaseInterval, _options.TaskLeaseInterval) { KeepAlive = false });
        _meter.Read(_chain.Operators);
        _metrics = this.RegisterGrainTimer(ReportProgress, new GrainTimerCreationOptions(_options.TaskMetricsInterval, _options.TaskMetricsInterval) { KeepAlive = false });

        _logger.LogDebug("Task {Task} started: {Vertex} x{Parallelism}{Restored}", _task, vertex.Name, vertex.Parallelism,
            deployment.Restore is null ? "" : $", restored from checkpoint {deployment.Restore.CheckpointId}");
    }

    public async Task OnNextAsync(StreamEnvelope envelope, StreamSequenceToken? token = null)
    {
        if (_state == TaskState.Created)
        {
            // Data for a task that was never deployed here (its activation was lost and this one is
            // new): refuse it, so that the sender fails instead of the records vanishing.
            throw new InvalidOperationException($"Task {this.GetPrimaryKeyString()} received data but is not deployed on this activation.");
        }

        if (_state != TaskState.Running)
        {
            return;
        }

        try
        {
            _gate!.Accept(envelope, this);
            await _network.SendPendingAsync();
            await _chain.WaitUntilReadyAsync();
            if (_gate.AllEnded && _state == TaskState.Running)
            {
                await FinishAsync();
            }
        }
        catch (Exception ex)
        {
            await FailAsync(ex);
        }
    }

    public Task OnCompletedAsync() => Task.CompletedTask;

    public Task OnErrorAsync(Exception ex) => Task.CompletedTask;

    void IInputHandler.OnRecords(StreamEnvelope envelope) => _chain.InputDecoders[envelope.Input].Decode(envelope.Payload, envelope.RecordCount);

    void IInputHandler.OnWatermark(long watermark) => _chain.ProcessWatermark(watermark);

    void IInputHandler.OnIdle(bool idle) => _chain.ProcessIdle(idle);

    void IInputHandler.OnBarrier(long checkpointId) => TakeSnapshot(checkpointId, persist: true, emitBarrier: true);

    public async Task<bool> TriggerCheckpointAsync(CheckpointBarrier barrier)
    {
        var (checkpointId, persist, stopSource) = (barrier.CheckpointId, barrier.Options.Persist, barrier.Options.StopSource);
        if (checkpointId <= _lastSnapshot)
        {
            // Already taken when the barrier came through; a second snapshot would see later records.
            return true;
        }

        try
        {
            switch (_state)
            {
                case TaskState.Running when _chain.Source is not null:
                    TakeSnapshot(checkpointId, persist, emitBarrier: true);
                    if (stopSource)
                    {
                        // Nothing after a stop savepoint's barrier: the job resumes from it, so records read
                        // now would reach at-least-once sinks twice.
                        _sourceTimer?.Dispose();
                        _sourceTimer = null;
                    }

                    await _network.SendPendingAsync();
                    return true;
                case TaskState.Finished:
                    TakeSnapshot(checkpointId, persist, emitBarrier: false);
                    return true;
                default:
                    return false;
            }
        }
        catch (Exception ex)
        {
            await FailAsync(ex);
            return false;
        }
    }

    public async Task AbortCheckpointAsync(long checkpointId)
    {
        if (_state != TaskState.Running || _gate is null)
        {
            return;
        }

        try
        {
            _gate.AbortCheckpoint(checkpointId, this);
            await _network.SendPendingAsync();
            if (_gate.AllEnded && _state == TaskState.Running)
            {
                await FinishAsync();
            }
        }
        catch (Exception ex)
        {
            await FailAsync(ex);
        }
    }

    public async Task NotifyCheckpointCompleteAsync(long checkpointId)
    {
        if (_state is not (TaskState.Running or TaskState.Finished))
        {
            return;
        }

        try
        {
            await _chain.NotifyCheckpointCompleteAsync(checkpointId, _released.Token);
        }
        catch (Exception ex)
        {
            // Reported as the task's failure (the job restarts and commits again from the restored
            // checkpoint), and thrown to a job grain that waits for the commit before it ends the job.
            await FailAsync(ex);
            throw;
        }
    }

    public async Task ReleaseAsync()
    {
        var state = _state;
        _state = TaskState.Canceled;
        _released.Cancel();
        if (state is TaskState.Running or TaskState.Finished or TaskState.Created)
        {
            await StopAsync();
        }

        DeactivateOnIdle();
    }

    private async Task RestoreAsync(TaskRestore restore)
    {
        foreach (var (uid, items) in restore.OperatorState)
        {
            _chain.StateOf(uid)?.SetRestored(restore.CheckpointId, items);
        }

        foreach (var handle in restore.KeyedState)
        {
            var chunk = await _snapshots.ReadChunkAsync(handle, _released.Token);
            KeyedSnapshotBuilder.Restore(chunk, _chain.StateOf);
        }
    }

    /// <summary>
    /// The synchronous part of a snapshot: captures the chain's state and forwards the barrier, in this
    /// turn, so that nothing processed after the barrier is in it. Cutting chunks and writing happen in the background.
    /// </summary>
    private void TakeSnapshot(long checkpointId, bool persist, bool emitBarrier)
    {
        _lastSnapshot = Math.Max(_lastSnapshot, checkpointId);
        var keyed = new KeyedSnapshotBuilder();
        var (operatorState, keyedOperators) = _chain.Snapshot(checkpointId, keyed);
        if (emitBarrier)
        {
            _network.EmitBarrier(checkpointId);
        }

        _ = PersistAndAcknowledgeAsync(checkpointId, persist ? keyed : null, operatorState, keyedOperators);
    }

    private async Task PersistAndAcknowledgeAsync(
        long checkpointId, KeyedSnapshotBuilder? keyed, Dictionary<string, IReadOnlyList<byte[]>> operatorState, List<string> keyedOperators)
    {
        try
        {
            // Off the grain's scheduler: cutting chunks copies every byte of the state, and some storage
            // clients do their "async" I/O synchronously (Microsoft.Data.Sqlite does), which on the grain's
            // scheduler would hold the task's turn, and with it the task's input, for the whole write.
            var (snapshots, task, chunkBytes, released) = (_snapshots, _task, _options.CheckpointChunkBytes, _released.Token);
            IReadOnlyList<KeyedStateHandle> handles = keyed is null
                ? Array.Empty<KeyedStateHandle>()
                : await Task.Run(() => WriteChunksAsync(snapshots, task, checkpointId, keyed, chunkBytes, released));
            var snapshot = new TaskSnapshot(_task.VertexId, _task.Subtask, operatorState, handles, keyedOperators);
            await Job.AcknowledgeCheckpointAsync(_task, checkpointId, snapshot);
        }
        catch (Exception ex) when (!_released.IsCancellationRequested)
        {
            _logger.LogWarning(ex, "Task {Task} could not store its snapshot for checkpoint {Checkpoint}", _task, checkpointId);
            Job.DeclineCheckpointAsync(_task, checkpointId, $"Subtask {_task.Subtask} of vertex {_task.VertexId} could not store its snapshot: {ex.GetBaseException().Message}").Ignore();
        }
        catch (Exception)
        {
            // Released while writing: the job has moved on and will not wait for this snapshot.
        }
    }

    /// <summary>Static, so that it cannot touch the grain's state: it runs on the thread pool.</summary>
    private static async Task<IReadOnlyList<KeyedStateHandle>> WriteChunksAsync(
        SnapshotStore snapshots, TaskId task, long checkpointId, KeyedSnapshotBuilder keyed, int chunkBytes, CancellationToken cancellationToken)
    {
        var chunks = keyed.Build(chunkBytes);
        var handles = new List<KeyedStateHandle>(chunks.Count);
        for (int i = 0; i < chunks.Count; i++)
        {
            var key = SnapshotStore.ChunkKey(task.JobId, checkpointId, task.VertexId, task.Subtask, i);
            handles.Add(await snapshots.WriteChunkAsync(key, chunks[i], cancellationToken));
        }

        return handles;
    }

    private async Task TickAsync()
    {
        if (_state != TaskState.Running)
        {
            return;
        }

        try
        {
            _chain.OnProcessingTime(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
            _network.FlushOlderThan(Environment.TickCount64, (long)_options.BufferTimeout.TotalMilliseconds);
            await _network.SendPendingAsync();
        }
        catch (Exception ex)
        {
            await FailAsync(ex);
        }
    }

    private async Task ReadSourceAsync()
    {
        var source = _chain.Source!;
        long deadline = Stopwatch.GetTimestamp() + (long)(_options.SourceSliceBudget.TotalSeconds * Stopwatch.Frequency);
        try
        {
            ReadStatus status;
            do
            {
                status = await source.ReadAsync(_options.BatchSize, _released.Token);
                await _network.SendPendingAsync();
                await _chain.WaitUntilReadyAsync();
                if (status == ReadStatus.End && _state == TaskState.Running)
                {
                    source.EmitEndOfInput();
                    await FinishAsync();
                    return;
                }
            }
            while (status == ReadStatus.MoreAvailable && _state == TaskState.Running && Stopwatch.GetTimestamp() < deadline);
        }
        catch (Exception ex)
        {
            await FailAsync(ex);
        }
    }

    private async Task FinishAsync()
    {
        await _chain.FinishAsync();
        await _network.CompleteAsync();
        StopTimers();
        if (_state != TaskState.Running)
        {
            // Released or failed while finishing: the job grain has already been told.
            return;
        }

        _state = TaskState.Finished;

        // Stay active, operators open, until the job grain releases the task: the final checkpoint
        // still needs this task's state, its sinks still commit, and producers may still be draining
        // acknowledgements to it.
        DelayDeactivation(Timeout.InfiniteTimeSpan);
        Job.OnTaskFinishedAsync(Report()).Ignore();
    }

    /// <summary>
    /// Work an operator posted from elsewhere (an async I/O completion), in a turn of this grain: it may emit,
    /// so what it produced is sent after it. Dropped before the task runs and after it stopped.
    /// </summary>
    private async Task RunPostedAsync(Action action)
    {
        if (_state is not (TaskState.Running or TaskState.Finished))
        {
            return;
        }

        try
        {
            action();
            await _network.SendPendingAsync();
        }
        catch (Exception ex)
        {
            await FailAsync(ex);
        }
    }

    private async Task CheckAttemptAsync()
    {
        bool current;
        try
        {
            current = await Job.IsAttemptRunningAsync(_task.Attempt);
        }
        catch (Exception ex)
        {
            _logger.LogDebug("Task {Task} could not ask its job whether it still runs: {Error}", _task, ex.GetBaseException().Message);
            return;
        }

        if (!current && _state is TaskState.Running or TaskState.Finished or TaskState.Failed)
        {
            _logger.LogInformation("Task {Task} stops: its attempt is no longer the job's current one", _task);
            await ReleaseAsync();
        }
    }

    private async Task FailAsync(Exception ex)
    {
        // A finished task can still fail: its final snapshot or its sinks' commit.
        if (_state is not (TaskState.Running or TaskState.Finished))
        {
            return;
        }

        _state = TaskState.Failed;
        _logger.LogError(ex, "Task {Task} failed", _task);
        try
        {
            await StopAsync();
        }
        catch (Exception closeError)
        {
            _logger.LogWarning(closeError, "Task {Task} did not close cleanly after failing", _task);
        }

        // Stay active (dropping input) until the job releases the attempt: a new activation would refuse
        // the data still in flight to it, and its senders would report that as their own failure,
        // racing the real cause to the job grain.
        Job.OnTaskFailedAsync(Report(), Describe(ex)).Ignore();
    }

    private void StopTimers()
    {
        _sourceTimer?.Dispose();
        _tick?.Dispose();
        _sourceTimer = null;
        _tick = null;
    }

    private async Task StopAsync()
    {
        StopTimers();
        _lease?.Dispose();
        _lease = null;
        _metrics?.Dispose();
        _metrics = null;
        if (_chain is not null && !_chainClosed)
        {
            _chainClosed = true;
            await _chain.CloseAsync();
        }
    }

    private TaskReport Report()
        => new(_task, _chain is null ? Array.Empty<OperatorMetrics>() : _meter.Read(_chain.Operators), Watermark);

    /// <summary>The input watermark, or for a source the watermark it last sent; null before there is one.</summary>
    private long? Watermark
    {
        get
        {
            long watermark = _gate?.CurrentWatermark ?? _network?.LastWatermark ?? long.MinValue;
            return watermark == long.MinValue ? null : watermark;
        }
    }

    private Task ReportProgress()
    {
        if (_state == TaskState.Running)
        {
            Job.ReportProgressAsync(Report()).Ignore();
        }

        return Task.CompletedTask;
    }

    private string Describe(Exception ex)
    {
        var root = ex is OperatorException ? ex : ex.GetBaseException();
        return $"Subtask {_task.Subtask} of vertex {_task.VertexId}: {root.GetType().Name}: {root.Message}";
    }
}
