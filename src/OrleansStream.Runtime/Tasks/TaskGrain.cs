using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Placement;
using Orleans.Runtime.Placement;
using Orleans.Streams;
using OrleansStream.Api.Connectors;
using OrleansStream.Contracts.Jobs;
using OrleansStream.Operators;
using OrleansStream.Runtime.Channels;
using OrleansStream.Runtime.Channels.Streams;
using OrleansStream.Runtime.Checkpoints;
using OrleansStream.Runtime.Hosting;
using OrleansStream.Runtime.Jobs;
using OrleansStream.Runtime.Placement;
using OrleansStream.Runtime.Rescaling;

namespace OrleansStream.Runtime.Tasks;

/// <summary>
/// The task loop of one subtask (Flink's StreamTask). Everything it does passes its <see cref="TaskMailbox"/>:
/// input envelopes (through the input gate into the operator chain), a source's reads in slices on a
/// timer, a processing-time tick (watermark generation, processing-time windows, sink flushes, the buffer
/// timeout), checkpoint triggers, aborts and commits, and results operators post (async I/O). After each,
/// what the chain produced is sent before the next is taken, so a full channel downstream slows this task
/// and, through it, its producers.
/// </summary>
/// <remarks>
/// Checkpoints are its <see cref="SubtaskCheckpointCoordinator"/>'s. A finished task keeps its operators
/// open until the job releases it, so that it can still snapshot its final state and commit when the final
/// checkpoint completes. A task asked to move (a live drain of its silo) stops at its next snapshot, and
/// once that is stored migrates to the silo it was given (Orleans' grain migration: same identity, messages
/// that arrive meanwhile follow it); the next activation restores that snapshot and goes on with the
/// channels where they stood (<see cref="TaskRelocation"/>).
/// [Immovable] keeps Orleans' own rebalancing from moving it any other way.
/// </remarks>
[ImplicitStreamSubscription(StreamChannelTransport.Namespace)]
[TaskSlotPlacement]
[Immovable]
[GrainType("orleansstream.task")]
internal sealed class TaskGrain(
    IOptions<OrleansStreamOptions> options,
    SnapshotStore snapshots,
    JobGraphFactory graphs,
    ChannelTransports transports,
    ILogger<TaskGrain> logger) : Grain, ITaskGrain, IAsyncObserver<StreamEnvelope>, IInputHandler, IGrainMigrationParticipant
{
    private readonly OrleansStreamOptions _options = options.Value;
    private readonly CancellationTokenSource _released = new();
    private readonly ThroughputMeter _meter = new(TimeProvider.System);
    private readonly TaskTime _time = new();
    private IChannelTransport _transport = null!;
    private TaskState _state = TaskState.Created;
    private TaskId _task;
    private OperatorChain _chain = null!;
    private NetworkOutputs _network = null!;
    private TaskMailbox _mailbox = null!;
    private SubtaskCheckpointCoordinator? _checkpoints;
    private InputGate? _gate;
    private Graph.JobVertex _vertex = null!;
    private SubtaskRescaling? _rescaling;
    private bool _sourceEnded;
    private bool _awaitingSplits;
    private bool _sourcePaused;
    private bool _finishing;
    private IGrainTimer? _tick;
    private IGrainTimer? _sourceTimer;

    /// <summary>The checkpoint at whose barrier the source stopped reading (a stop-with-savepoint, or the job going idle).</summary>
    private long? _sourceStoppedAt;

    /// <summary>Whether progress reports carry the source's input mark: only a job with an idle timeout uses it.</summary>
    private bool _reportsInputMark;
    private IGrainTimer? _lease;
    private IGrainTimer? _metrics;
    private bool _chainClosed;

    /// <summary>Where the task moves at its next snapshot, once the job asked it to.</summary>
    private RelocationRequest? _moveAt;

    /// <summary>Stopped at the snapshot it moves with: it processes nothing more on this activation, and refuses input.</summary>
    private DateTimeOffset? _stoppedToMove;

    /// <summary>How often this subtask moved to another silo within its attempt: its sinks name what they stage by it.</summary>
    private int _generation;

    /// <summary>Leaving: what the next activation takes over. Arriving: what the previous one left.</summary>
    private TaskRelocation? _relocation;

    /// <summary>Keeps the job's code (an uploaded assembly) loaded on this silo until the task deactivates.</summary>
    private IDisposable? _jobCode;

    private enum TaskState
    {
        Created,
        Running,
        Finished,
        Failed,
        Canceled,
    }

    private IJobMasterGateway Job => GrainFactory.GetGrain<IJobMasterGateway>(_task.JobId);

    /// <summary>
    /// Every channel into this task has ended (a source: its splits are read), and no key group it takes over in a live
    /// rescale still waits for its state or for the old owner's watermark.
    /// </summary>
    private bool InputEnded => (_gate?.AllEnded ?? _sourceEnded) && _rescaling?.IsTakingOver != true;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _transport = transports.Get(_options.ChannelTransport);
        if (_transport is StreamChannelTransport)
        {
            // Over an Orleans stream provider input arrives on the task's own stream; the push transport calls DeliverAsync.
            await this.GetStreamProvider(_options.ChannelTransport).GetStream<StreamEnvelope>(StreamChannelTransport.InputStreamOf(TaskId.Parse(this.GetPrimaryKeyString()))).SubscribeAsync(this);
        }

        if (_relocation is { } arrived)
        {
            // Before any message: those sent to the previous activation while it moved follow it here.
            _relocation = null;
            await ArriveAsync(arrived);
        }
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        if (reason.ReasonCode == DeactivationReasonCode.Migrating && _relocation is not null)
        {
            // Its state goes with the migration: the operators close here, the next activation opens them from the snapshot.
            _released.Cancel();
            await StopAsync();
        }

        // Last: the chain is closed (or abandoned with the activation), so nothing here runs the job's code again.
        _jobCode?.Dispose();
        _jobCode = null;
    }

    void IGrainMigrationParticipant.OnDehydrate(IDehydrationContext dehydrationContext)
    {
        if (_relocation is { } leaving)
        {
            dehydrationContext.TryAddValue(TaskRelocation.ContextKey, leaving);
        }
    }

    void IGrainMigrationParticipant.OnRehydrate(IRehydrationContext rehydrationContext)
    {
        if (rehydrationContext.TryGetValue(TaskRelocation.ContextKey, out TaskRelocation? arrived))
        {
            _relocation = arrived;
        }
    }

    public async Task StartAsync(TaskDeployment deployment)
    {
        if (_state != TaskState.Created)
        {
            return;
        }

        var graph = await BuildAsync(deployment);
        if (deployment.Restore is { } restore)
        {
            await _checkpoints!.RestoreAsync(restore);
        }

        _chain.Open();
        if (deployment.Restore is { } restored)
        {
            // What was pre-committed for the restored checkpoint may never have been committed.
            await _chain.NotifyCheckpointCompleteAsync(restored.CheckpointId, _released.Token);
        }

        if (_state != TaskState.Created)
        {
            // Released while restoring: the job has moved on.
            return;
        }

        _gate = _vertex.IsSource ? null : new InputGate(_vertex, _task.Subtask, _task.Attempt, _transport.MayReorder);
        Run(graph, awaitSplits: deployment.JoinsRunningJob);
        logger.LogDebug("Task {Task} started: {Vertex} x{Parallelism}{Restored}", _task, _vertex.Name, _vertex.Parallelism,
            deployment.Restore is null ? "" : $", restored from checkpoint {deployment.Restore.CheckpointId}");
    }

    /// <summary>Builds the operator chain of <paramref name="deployment"/>, its outputs, mailbox and checkpoint coordinator; nothing runs yet.</summary>
    private async Task<Graph.JobGraph> BuildAsync(TaskDeployment deployment)
    {
        _task = deployment.Task;
        _jobCode ??= graphs.Hold(_task.JobId);
        var graph = await graphs.BuildAsync(_task.JobId, deployment.Submission);
        var vertex = _vertex = graph.Vertex(_task.VertexId);
        _network = new NetworkOutputs(_transport, _task, graph.MaxParallelism, _options.BatchSize);
        _chain = OperatorChain.Create(vertex, _network);
        _mailbox = TaskMailbox.OfCurrentActivation(FlushAsync, _network.SendPendingAsync, FailAsync, _time);
        _checkpoints = new SubtaskCheckpointCoordinator(_task, _chain, _network, snapshots, new JobCheckpointResponder(Job), _options.CheckpointChunkBytes, _released.Token, logger);
        _chain.CreateContexts(node => new OperatorContext(_task.JobId, _task.Attempt, node.Name, _task.Subtask, vertex.Parallelism, graph.MaxParallelism, TimeProvider.System)
        {
            OperatorId = node.Uid,
            Mailbox = _mailbox,
            JoinsRunningJob = deployment.JoinsRunningJob,
            Generation = _generation,
        });
        return graph;
    }

    /// <summary>The task runs: its input gate (if any) is in place, and its timers start.</summary>
    private void Run(Graph.JobGraph graph, bool awaitSplits)
    {
        _rescaling = _vertex.IsSource ? null : new SubtaskRescaling(_task, _chain, graph.MaxParallelism, _options.CheckpointChunkBytes, installed => Job.OnKeyGroupsInstalledAsync(_task, installed).Ignore());
        _state = TaskState.Running;
        _reportsInputMark = graph.IdleTimeout is not null;

        // The timers keep the task active: a source receives no calls, and a quiet stream may send none.
        _tick = this.RegisterGrainTimer(TickAsync, new GrainTimerCreationOptions(_options.TickInterval, _options.TickInterval) { KeepAlive = true });
        if (_chain.Source is not null)
        {
            // A source that joins a running job has nothing to read until the rescale hands it splits.
            _awaitingSplits = awaitSplits;
            if (!_awaitingSplits)
            {
                StartReading();
            }
        }

        StartLease();
        _meter.Read(_chain.Operators);
        _metrics = this.RegisterGrainTimer(ReportProgress, new GrainTimerCreationOptions(_options.TaskMetricsInterval, _options.TaskMetricsInterval) { KeepAlive = false });
    }

    /// <summary>A lost release must not leave the task running (or, finished, held active) forever.</summary>
    private void StartLease()
        => _lease = this.RegisterGrainTimer(CheckAttemptAsync, new GrainTimerCreationOptions(_options.TaskLeaseInterval, _options.TaskLeaseInterval) { KeepAlive = false });

    /// <summary>
    /// The job asks this task to move to another silo (a live drain): it stops at its next snapshot, which the job
    /// triggers next, and moves once that is stored.
    /// </summary>
    public Task MoveAtNextSnapshotAsync(RelocationRequest request)
    {
        if (_state is not (TaskState.Running or TaskState.Finished) || _transport is not Channels.Push.PushChannelTransport)
        {
            throw new InvalidOperationException($"Task {this.GetPrimaryKeyString()} cannot move: it is {_state}{(_state == TaskState.Created ? "" : $" on the {_options.ChannelTransport} transport")}.");
        }

        _moveAt = request;
        return Task.CompletedTask;
    }

    /// <summary>
    /// After every snapshot, in its mail: a task the job asked to move stops right here, so that the snapshot of
    /// <paramref name="checkpointId"/> is what the move restores. Nothing is processed here any more (input waits in the
    /// gate or is refused, the source and the clock stop, posted results are dropped: the snapshot holds what they would
    /// have changed), and the move goes on once the snapshot is <paramref name="stored"/>.
    /// </summary>
    private void MoveIfAsked(long checkpointId, Task<TaskSnapshot?> stored)
    {
        if (_moveAt is not { } request)
        {
            return;
        }

        _moveAt = null;
        _stoppedToMove = DateTimeOffset.UtcNow;
        _gate?.Suspend();
        StopTimers();
        _mailbox.Close();
        MoveAsync(checkpointId, stored, request).Ignore();
    }

    /// <summary>Once the snapshot is stored and what was sent before it has reached the receivers, migrates to the target silo.</summary>
    private async Task MoveAsync(long checkpointId, Task<TaskSnapshot?> stored, RelocationRequest request)
    {
        try
        {
            var snapshot = await stored ?? throw new InvalidOperationException("its snapshot could not be stored");

            // The next activation numbers its envelopes on from here, so everything sent so far must have arrived.
            await _network.FlushAndDrainAsync();
            if (_state is not (TaskState.Running or TaskState.Finished))
            {
                return;
            }

            _relocation = new TaskRelocation(
                new TaskDeployment(_task, request.Submission, new TaskRestore(checkpointId, snapshot.OperatorState, snapshot.KeyedState)),
                Finished: _state == TaskState.Finished,
                _state == TaskState.Finished ? null : _gate?.Export(),
                _network.ExportChannels(),
                _stoppedToMove!.Value,
                _generation + 1);
            RequestContext.Set(IPlacementDirector.PlacementHintKey, request.Target);
            try
            {
                MigrateOnIdle();
            }
            finally
            {
                RequestContext.Remove(IPlacementDirector.PlacementHintKey);
            }

            logger.LogDebug("Task {Task} moves to silo {Silo} with its snapshot of checkpoint {Checkpoint}", _task, request.Target, checkpointId);
        }
        catch (Exception ex)
        {
            await FailAsync(new InvalidOperationException($"Subtask could not move to silo {request.Target}: {ex.GetBaseException().Message}", ex));
        }
    }

    /// <summary>
    /// The first activation on the silo the task moved to: restores the snapshot the previous one stopped at and goes on
    /// with its channels where they stood. Its sinks commit that snapshot's transactions when the job says it completed.
    /// </summary>
    private async Task ArriveAsync(TaskRelocation arrived)
    {
        try
        {
            _generation = arrived.Generation;
            var graph = await BuildAsync(arrived.Deployment);
            await _checkpoints!.RestoreAsync(arrived.Deployment.Restore!);
            _chain.Open();
            _network.RestoreChannels(arrived.Outputs, completed: arrived.Finished);
            if (arrived.Finished)
            {
                _state = TaskState.Finished;
                DelayDeactivation(Timeout.InfiniteTimeSpan);
                StartLease();
            }
            else
            {
                if (arrived.Inputs is { } inputs)
                {
                    // Envelopes sent to the previous activation while it moved arrive here out of order with their resends: park them.
                    _gate = new InputGate(_vertex, _task.Subtask, _task.Attempt, mayReorder: true);
                    _gate.Restore(inputs);
                }

                Run(graph, awaitSplits: false);
                await _mailbox.RunAsync(() =>
                {
                    if (_gate is { } gate)
                    {
                        // The operators' clocks where the previous activation's were, then what it took and had not processed.
                        if (gate.CurrentWatermark != long.MinValue)
                        {
                            ((IInputHandler)this).OnWatermark(gate.CurrentWatermark);
                        }

                        gate.Resume(this);
                    }
                });
            }

            var paused = DateTimeOffset.UtcNow - arrived.StoppedAt;
            logger.LogInformation("Task {Task} moved here; it processed nothing for {Paused} ms", _task, (long)paused.TotalMilliseconds);
            Job.OnTaskRelocatedAsync(new TaskRelocated(_task, GrainContext.Address.SiloAddress!, paused)).Ignore();
        }
        catch (Exception ex)
        {
            logger.LogError(ex, "Task {Task} could not take over from its previous activation", _task);
            _state = TaskState.Failed;
            Job.OnTaskFailedAsync(Report(), $"Subtask {_task.Subtask} of vertex {_task.VertexId}: could not go on after moving: {ex.GetBaseException().Message}").Ignore();
        }
    }

    public async Task<long> DeliverAsync(StreamEnvelope envelope)
    {
        if (_state == TaskState.Created)
        {
            // Data for a task that was never deployed here (its activation was lost and this one is
            // new): refuse it, so that the sender fails instead of the records vanishing.
            throw new InvalidOperationException($"Task {this.GetPrimaryKeyString()} received data but is not deployed on this activation.");
        }

        if (_stoppedToMove is not null && _state == TaskState.Running)
        {
            // Not taken, so not acknowledged: the sender sends it again, and the next activation takes it.
            throw new TaskRelocatingException($"Task {_task} is moving to another silo.");
        }

        if (_state != TaskState.Running)
        {
            // A task that no longer runs drops its input: the sender may forget it.
            return envelope.Sequence;
        }

        var gate = _gate!;
        await _mailbox.RunAsync(static mail => mail.Gate.Accept(mail.Envelope, mail.Task), (Gate: gate, Envelope: envelope, Task: this));

        // Envelopes of the channel that came early and waited for this one: a mail each, so that what each
        // produced is sent, and room awaited, before the next is taken.
        while (_state == TaskState.Running && gate.HasNextParked(envelope))
        {
            await _mailbox.RunAsync(static mail => mail.Gate.TakeNextParked(mail.Envelope, mail.Task), (Gate: gate, Envelope: envelope, Task: this));
        }

        // A task that failed meanwhile acknowledges what it took: its attempt is over, nothing will be resent to it.
        return gate.AcknowledgedOf(envelope);
    }

    Task IAsyncObserver<StreamEnvelope>.OnNextAsync(StreamEnvelope envelope, StreamSequenceToken? token) => DeliverAsync(envelope);

    Task IAsyncObserver<StreamEnvelope>.OnCompletedAsync() => Task.CompletedTask;

    Task IAsyncObserver<StreamEnvelope>.OnErrorAsync(Exception ex) => Task.CompletedTask;

    void IInputHandler.OnRecords(StreamEnvelope envelope) => _chain.InputDecoders[envelope.Input].Decode(envelope.Payload, envelope.RecordCount);

    void IInputHandler.OnWatermark(long watermark)
    {
        if (_rescaling is null)
        {
            _chain.ProcessWatermark(watermark);
        }
        else if (_rescaling.OnWatermark(watermark))
        {
            // What follows the watermark waits with it for the held records' state.
            _gate!.Suspend();
        }
    }

    void IInputHandler.OnIdle(bool idle) => _chain.ProcessIdle(idle);

    void IInputHandler.OnBarrier(CheckpointBarrier barrier) => MoveIfAsked(barrier.CheckpointId, _checkpoints!.TakeSnapshot(barrier, forwardBarrier: true));

    void IInputHandler.OnHandover(long step)
    {
        foreach (var (to, handoff) in _rescaling!.HandOver(step))
        {
            // Not awaited: the key groups that stay here go on at once. A hand-off that fails loses state, so the task fails.
            var target = _task with { Subtask = to };
            GrainFactory.GetGrain<ITaskGrain>(target.ToString()).InstallKeyGroupsAsync(handoff).ContinueWith(
                install => _mailbox.Post(() => throw new InvalidOperationException(
                    $"Handing key groups {string.Join(",", handoff.KeyGroups)} over to subtask {to} failed: {install.Exception!.GetBaseException().Message}")),
                CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Current).Ignore();
        }
    }

    public Task ConnectInputsAsync(int upstreamVertex, int parallelism)
        => WhenRunning(() =>
        {
            foreach (var edge in _vertex.Inputs.Where(e => e.Source.Id == upstreamVertex))
            {
                _gate!.AddChannels(edge.TargetInput, Enumerable.Range(0, parallelism));
            }
        });

    public Task ConnectOutputsAsync(int targetVertex, int parallelism)

        // A finished task connects too: the new subtasks must see its channels end.
        => _state is TaskState.Running or TaskState.Finished ? _mailbox.RunAsync(() => _network.ConnectTargets(targetVertex, parallelism)) : Task.CompletedTask;

    public Task PrepareRescaleStepAsync(RescaleStep step) => WhenRunning(() => _rescaling!.Prepare(step));

    public Task RerouteAsync(RescaleStep step) => WhenRunning(() => _network.Reroute(step));

    public Task RetireOutputsAsync(int targetVertex, int parallelism) => WhenRunning(() => _network.RetireTargets(targetVertex, parallelism));

    public Task InstallKeyGroupsAsync(KeyGroupHandoff handoff)
        => _state != TaskState.Running
            ? throw new InvalidOperationException($"Task {_task} cannot take over key groups: it is {_state}.")
            : _mailbox.RunAsync(() =>
            {
                if (_rescaling!.Install(handoff))
                {
                    _gate!.Resume(this);
                }
            });

    public Task<IReadOnlyList<string>> SplitsAsync()
        => Task.FromResult(_state == TaskState.Running && _chain.Source is { } source ? source.SplitIds() : Array.Empty<string>());

    public async Task<SplitHandoff> TakeSplitsAsync(IReadOnlyList<string> splitIds)
    {
        if (_state == TaskState.Finished)
        {
            // It read its splits to their end since the rescale listed them: they stay in its final state, nothing to read.
            return new SplitHandoff(Array.Empty<byte[]>());
        }

        var source = RunningSource();
        IReadOnlyList<byte[]> splits = Array.Empty<byte[]>();
        await _mailbox.RunObservedAsync(async () =>
        {
            splits = await source.RemoveSplitsAsync(splitIds.ToHashSet(StringComparer.Ordinal));
            if (splits.Count != splitIds.Count)
            {
                throw new InvalidOperationException($"Task {_task} was asked for {splitIds.Count} splits but reads {splits.Count} of them.");
            }

            // One mail, so no read comes between: the split's records reach the next vertex before the new owner reads on,
            // so that they stay in order.
            await DrainOutputAsync();
        });
        return new SplitHandoff(splits);
    }

    public async Task AddSplitsAsync(SplitHandoff handoff)
    {
        var source = RunningSource();
        await _mailbox.RunObservedAsync(() => source.AddSplitsAsync(handoff.Splits));
        if (_awaitingSplits && _state == TaskState.Running)
        {
            _awaitingSplits = false;
            StartReading();
        }
    }

    public Task EndSourceAsync()
        => _state != TaskState.Running || _sourceEnded ? Task.CompletedTask : _mailbox.RunObservedAsync(() =>
        {
            var source = RunningSource();
            if (source.SplitIds() is { Count: > 0 } left)
            {
                throw new InvalidOperationException($"Task {_task} cannot end its input: it still reads splits {string.Join(", ", left)}.");
            }

            EndSource(source);
            return ValueTask.CompletedTask;
        });

    public Task PauseSourceAsync()
        => _state != TaskState.Running || _chain.Source is null ? Task.CompletedTask : _mailbox.RunObservedAsync(async () =>
        {
            _sourcePaused = true;
            await DrainOutputAsync();
        });

    public Task ResumeSourceAsync()
    {
        _sourcePaused = false;
        return Task.CompletedTask;
    }

    public async Task<byte[]> ExportBroadcastStateAsync()
    {
        var holder = BroadcastStateOperator();
        byte[] state = [];
        await _mailbox.RunObservedAsync(() =>
        {
            state = holder.ExportBroadcastState();
            return ValueTask.CompletedTask;
        });
        return state;
    }

    public Task ImportBroadcastStateAsync(byte[] state)
    {
        var holder = BroadcastStateOperator();
        return _mailbox.RunObservedAsync(() =>
        {
            holder.ImportBroadcastState(state);
            return ValueTask.CompletedTask;
        });
    }

    private IBroadcastStateOperator BroadcastStateOperator()
        => _state is TaskState.Running or TaskState.Finished && _chain.Operators.OfType<IBroadcastStateOperator>().FirstOrDefault() is { } holder
            ? holder
            : throw new InvalidOperationException($"Task {_task} has no broadcast state to copy: it is {_state}.");

    /// <summary>Waits, within a mail, until what async I/O still holds and then what the channels carry has been processed downstream.</summary>
    private async ValueTask DrainOutputAsync()
    {
        await _chain.WaitUntilDrainedAsync();
        await _network.FlushAndDrainAsync();
    }

    private ISourceOperator RunningSource()
        => _state == TaskState.Running && _chain.Source is { } source
            ? source
            : throw new InvalidOperationException($"Task {_task} cannot move source splits: it is {_state}{(_chain?.Source is null ? " and reads no source" : "")}.");

    private void StartReading()
        => _sourceTimer = this.RegisterGrainTimer(ReadSourceAsync, new GrainTimerCreationOptions(TimeSpan.Zero, _options.SourceIdlePollInterval) { KeepAlive = true });

    /// <summary>
    /// Runs a rescale's change as a mail of a running task. A finished task has nothing left to send or route (its
    /// channels have ended); one that does not run any more is the job's to restart, which the rescale learns from the job.
    /// </summary>
    private Task WhenRunning(Action change) => _state == TaskState.Running ? _mailbox.RunAsync(change) : Task.CompletedTask;

    public async Task<bool> TriggerCheckpointAsync(CheckpointBarrier barrier)
    {
        if (_checkpoints is null)
        {
            // Never started on this activation.
            return false;
        }

        if (_stoppedToMove is not null)
        {
            // It stopped at the snapshot it moves with; the next activation takes the checkpoints after it.
            return false;
        }

        if (_checkpoints.HasTaken(barrier.CheckpointId))
        {
            // Already taken when the barrier came through; a second snapshot would see later records.
            return true;
        }

        // A running source starts the barrier; a finished task, whose channels have ended, snapshots its final
        // state and forwards nothing. A running task with inputs takes it when the barriers reach it.
        bool source = _state == TaskState.Running && _chain.Source is not null;
        if (!source && _state != TaskState.Finished)
        {
            return false;
        }

        var checkpoints = _checkpoints;
        await _mailbox.RunAsync(() =>
        {
            MoveIfAsked(barrier.CheckpointId, checkpoints.TakeSnapshot(barrier, forwardBarrier: source));
            if (source && barrier.Options.StopSource)
            {
                // Nothing after a stop savepoint's barrier (or the checkpoint the job idles at): the job resumes
                // from it, so records read now would reach at-least-once sinks twice.
                _sourceTimer?.Dispose();
                _sourceTimer = null;
                _sourceStoppedAt = barrier.CheckpointId;
            }
        });

        // A snapshot whose barrier could not be sent failed the task.
        return _state is TaskState.Running or TaskState.Finished;
    }

    public Task AbortCheckpointAsync(long checkpointId)
        => _state == TaskState.Running
            ? _mailbox.RunAsync(() =>
            {
                if (_sourceStoppedAt == checkpointId)
                {
                    // The savepoint or idle checkpoint the source stopped at was abandoned: the job goes on.
                    _sourceStoppedAt = null;
                    StartReading();
                }

                _gate?.AbortCheckpoint(checkpointId, this);
            })
            : Task.CompletedTask;

    public Task NotifyCheckpointCompleteAsync(long checkpointId)
        => _state is TaskState.Running or TaskState.Finished

            // A failed commit is the task's failure (the job restarts and commits again from the restored
            // checkpoint), and is thrown to a job grain that waits for the commit before it ends the job.
            ? _mailbox.RunObservedAsync(() => _chain.NotifyCheckpointCompleteAsync(checkpointId, _released.Token))
            : Task.CompletedTask;

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

    /// <summary>The one flush point, after every mail: send what it produced, wait for room in operators that hold input back, and finish once the input has ended.</summary>
    private async ValueTask FlushAsync()
    {
        await _network.SendPendingAsync();
        await _chain.WaitUntilReadyAsync();
        if (InputEnded && _state == TaskState.Running && !_finishing && _stoppedToMove is null)
        {
            await FinishAsync();
        }
    }

    private Task TickAsync()
        => _state != TaskState.Running || _stoppedToMove is not null
            ? Task.CompletedTask
            : _mailbox.RunAsync(() =>
            {
                _chain.OnProcessingTime(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
                _network.FlushOlderThan(Environment.TickCount64, (long)_options.BufferTimeout.TotalMilliseconds);
            });

    /// <summary>Reads the source in slices of one batch each, each a mail, until it has nothing more now or the turn's budget is spent.</summary>
    private async Task ReadSourceAsync()
    {
        var source = _chain.Source!;
        long deadline = Stopwatch.GetTimestamp() + (long)(_options.SourceSliceBudget.TotalSeconds * Stopwatch.Frequency);
        var status = ReadStatus.MoreAvailable;
        while (status == ReadStatus.MoreAvailable && _state == TaskState.Running && !_sourceEnded && !_sourcePaused && Stopwatch.GetTimestamp() < deadline)
        {
            await _mailbox.RunAsync(async () =>
            {
                status = await source.ReadAsync(_options.BatchSize, _released.Token);
                if (status == ReadStatus.End && _state == TaskState.Running)
                {
                    EndSource(source);
                }
            });
        }
    }

    /// <summary>The source's input has ended: the end of time flows down the chain, and the task finishes at the flush that follows.</summary>
    private void EndSource(ISourceOperator source)
    {
        source.EmitEndOfInput();
        _sourceEnded = true;
    }

    private async Task FinishAsync()
    {
        // Once: mails posted while operators drain (async I/O results) flush too.
        _finishing = true;
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

    private async Task CheckAttemptAsync()
    {
        bool current;
        try
        {
            current = await Job.IsCurrentAsync(_task);
        }
        catch (Exception ex)
        {
            logger.LogDebug("Task {Task} could not ask its job whether it still runs: {Error}", _task, ex.GetBaseException().Message);
            return;
        }

        if (!current && _state is TaskState.Running or TaskState.Finished or TaskState.Failed)
        {
            logger.LogInformation("Task {Task} stops: it is no longer part of its job's current attempt", _task);
            await ReleaseAsync();
        }
        else if (current && _state == TaskState.Finished)
        {
            // Again: a job grain that took the job over from another silo learns of it this way.
            Job.OnTaskFinishedAsync(Report()).Ignore();
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
        logger.LogError(ex, "Task {Task} failed", _task);
        try
        {
            await StopAsync();
        }
        catch (Exception closeError)
        {
            logger.LogWarning(closeError, "Task {Task} did not close cleanly after failing", _task);
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
        _mailbox?.Close();
        if (_chain is not null && !_chainClosed)
        {
            _chainClosed = true;
            await _chain.CloseAsync();
        }
    }

    private TaskReport Report()
        => new(_task, _chain is null ? Array.Empty<OperatorMetrics>() : _meter.Read(_chain.Operators), Watermark, _time.Read(),
            _chain?.Source?.Backlog is { } backlog ? new SourceBacklogMetrics(backlog.PendingRecords, backlog.PendingBytes, backlog.PendingSplits) : null,
            _reportsInputMark ? _chain?.Source?.InputMark : null);

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
        if (_state == TaskState.Running && _stoppedToMove is null)
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

    /// <summary>The job's checkpoint coordinator as this task's checkpoint coordinator reaches it.</summary>
    private sealed class JobCheckpointResponder(IJobMasterGateway job) : ICheckpointResponder
    {
        public Task AcknowledgeAsync(TaskId task, long checkpointId, TaskSnapshot snapshot) => job.AcknowledgeCheckpointAsync(task, checkpointId, snapshot);

        public Task DeclineAsync(TaskId task, long checkpointId, string reason) => job.DeclineCheckpointAsync(task, checkpointId, reason);
    }
}
