using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Placement;
using Orleans.Streams;
using OrleansStream.Connectors;
using OrleansStream.Operators;
using OrleansStream.Runtime.Channels;
using OrleansStream.Runtime.Hosting;
using OrleansStream.Runtime.Jobs;
using OrleansStream.Runtime.Placement;

namespace OrleansStream.Runtime.Tasks;

/// <summary>
/// The task loop of one subtask. Input envelopes arrive on the task's own stream and run through
/// the input gate and the operator chain in one turn; what the chain produced is sent before the
/// next envelope is taken, so a full channel downstream slows this task and, through it, its
/// producers. A source task reads its splits in slices on a timer. A tick drives processing time:
/// watermark generation, processing-time windows, sink flushes and the buffer timeout.
/// </summary>
[ImplicitStreamSubscription(ChannelNames.Namespace)]
[TaskSlotPlacement]
[Immovable]
[GrainType("orleansstream.task")]
internal sealed class TaskGrain : Grain, ITaskGrain, IAsyncObserver<StreamEnvelope>, IInputHandler
{
    private readonly OrleansStreamOptions _options;
    private readonly ILogger<TaskGrain> _logger;
    private TaskState _state = TaskState.Created;
    private TaskId _task;
    private OperatorChain _chain = null!;
    private NetworkOutputs _network = null!;
    private InputGate? _gate;
    private IGrainTimer? _tick;
    private IGrainTimer? _sourceTimer;

    public TaskGrain(IOptions<OrleansStreamOptions> options, ILogger<TaskGrain> logger)
    {
        _options = options.Value;
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

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var input = Streams.GetStream<StreamEnvelope>(ChannelNames.InputStreamOf(this.GetPrimaryKeyString()));
        await input.SubscribeAsync(this);
    }

    public Task StartAsync(TaskDeployment deployment)
    {
        if (_state != TaskState.Created)
        {
            return Task.CompletedTask;
        }

        _task = deployment.Task;
        var graph = JobGraphFactory.Build(deployment.Submission);
        var vertex = graph.Vertex(_task.VertexId);
        _network = new NetworkOutputs(Streams, _task, graph.MaxParallelism, _options.BatchSize);
        _chain = OperatorChain.Create(vertex, _network);
        _chain.Open(op => new OperatorContext(_task.JobId, _task.Attempt, op.Name, _task.Subtask, vertex.Parallelism, graph.MaxParallelism, TimeProvider.System));
        _gate = vertex.IsSource ? null : new InputGate(vertex, _task.Subtask, _task.Attempt);
        _state = TaskState.Running;

        // The timers keep the task active: a source receives no calls, and a quiet stream may send none.
        _tick = this.RegisterGrainTimer(TickAsync, new GrainTimerCreationOptions(_options.TickInterval, _options.TickInterval) { KeepAlive = true });
        if (_chain.Source is not null)
        {
            _sourceTimer = this.RegisterGrainTimer(ReadSourceAsync, new GrainTimerCreationOptions(TimeSpan.Zero, _options.SourceIdlePollInterval) { KeepAlive = true });
        }

        _logger.LogDebug("Task {Task} started: {Vertex} x{Parallelism}", _task, vertex.Name, vertex.Parallelism);
        return Task.CompletedTask;
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

    void IInputHandler.OnRecords(StreamEnvelope envelope) => _chain.InputDecoder!.Decode(envelope.Payload, envelope.RecordCount);

    void IInputHandler.OnWatermark(long watermark) => _chain.ProcessWatermark(watermark);

    void IInputHandler.OnIdle(bool idle) => _chain.ProcessIdle(idle);

    public async Task ReleaseAsync()
    {
        if (_state is TaskState.Running or TaskState.Created)
        {
            _state = TaskState.Canceled;
            await StopAsync();
        }

        DeactivateOnIdle();
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
                status = await source.ReadAsync(_options.BatchSize, CancellationToken.None);
                await _network.SendPendingAsync();
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
        _chain.Finish();
        await _network.CompleteAsync();
        await StopAsync();
        if (_state != TaskState.Running)
        {
            // Released or failed while finishing: the job grain has already been told.
            return;
        }

        _state = TaskState.Finished;

        // Stay active until the job grain releases the task: producers may still be draining
        // acknowledgements to it, and a deactivated task would be woken up by them for nothing.
        GrainFactory.GetGrain<IJobGrain>(_task.JobId).OnTaskFinishedAsync(Report()).Ignore();
    }

    private async Task FailAsync(Exception ex)
    {
        if (_state != TaskState.Running)
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

        GrainFactory.GetGrain<IJobGrain>(_task.JobId).OnTaskFailedAsync(Report(), Describe(ex)).Ignore();
        DeactivateOnIdle();
    }

    private async Task StopAsync()
    {
        _sourceTimer?.Dispose();
        _tick?.Dispose();
        _sourceTimer = null;
        _tick = null;
        if (_chain is not null)
        {
            await _chain.CloseAsync();
        }
    }

    private TaskReport Report()
        => new(_task, _chain?.Operators.Select(o => new OperatorMetrics(o.Name, o.RecordsIn, o.RecordsOut)).ToList() ?? new List<OperatorMetrics>());

    private string Describe(Exception ex)
    {
        var root = ex is OperatorException ? ex : ex.GetBaseException();
        return $"Subtask {_task.Subtask} of vertex {_task.VertexId}: {root.GetType().Name}: {root.Message}";
    }
}
