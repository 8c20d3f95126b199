using OrleansStream.Functions;
using OrleansStream.State;
using OrleansStream.Time;

namespace OrleansStream.Operators;

/// <summary>
/// Runs a <see cref="KeyedBroadcastProcessFunction{TKey, TIn, TBroadcast, TOut}"/>: input 1 is the keyed stream,
/// input 2 the broadcast stream. Broadcast state is operator state (every subtask's copy, restored to every
/// subtask); keyed state and timers are the keyed side's, as in a keyed process function.
/// </summary>
public sealed class KeyedBroadcastProcessOperator<TKey, TIn, TBroadcast, TOut>(
    string name,
    Func<TIn, TKey> keySelector,
    KeyedBroadcastProcessFunction<TKey, TIn, TBroadcast, TOut> function,
    IReadOnlyList<IBroadcastStateDescriptor> descriptors) : TwoInputOperator<TIn, TBroadcast, TOut>(name), ICheckpointedOperator, IBroadcastStateOperator
    where TKey : notnull
{
    private KeyedFunctionHost<TKey, TOut> _host = null!;
    private BroadcastStateSet _broadcast = null!;
    private KeyedSide _keyedSide = null!;
    private BroadcastSide _broadcastSide = null!;

    public override long RecordsOut => _host?.RecordsOut ?? 0;

    public override void Open(OperatorContext context)
    {
        base.Open(context);
        _host = new KeyedFunctionHost<TKey, TOut>(Name, context, Output, SideOutputs);
        _broadcast = new BroadcastStateSet(Name, descriptors);
        if (context.State.RestoredCheckpointId is not null)
        {
            _broadcast.Restore(context.State.RestoredOperatorState, context.SubtaskIndex);
        }

        _keyedSide = new KeyedSide(_host, _broadcast);
        _broadcastSide = new BroadcastSide(_host, _broadcast, context);
        _host.OnTimer((time, _, output) => function.OnTimer(time, _keyedSide, output));
        function.Open(_host.RuntimeContext);
    }

    public override void ProcessElement1(TIn value, long timestamp)
    {
        _host.SetCurrentElement(keySelector(value), timestamp);
        function.ProcessElement(value, _keyedSide, _host);
    }

    public override void ProcessElement2(TBroadcast value, long timestamp)
    {
        _host.SetCurrentTimestamp(timestamp);
        function.ProcessBroadcastElement(value, _broadcastSide, _host);
    }

    public override void ProcessWatermark(long watermark) => _host.ProcessWatermark(watermark);

    public override void OnProcessingTime(long now) => _host.OnProcessingTime(now);

    public IReadOnlyList<byte[]> SnapshotOperatorState(long checkpointId) => [_broadcast.Snapshot()];

    public byte[] ExportBroadcastState() => _broadcast.Snapshot();

    public void ImportBroadcastState(byte[] state) => _broadcast.Restore([state], 0);

    public override ValueTask CloseAsync()
    {
        function.Close();
        return ValueTask.CompletedTask;
    }

    private sealed class KeyedSide(KeyedFunctionHost<TKey, TOut> host, BroadcastStateSet broadcast) : KeyedReadOnlyBroadcastContext<TKey>
    {
        public override long? Timestamp => host.Timestamp;

        public override TKey CurrentKey => host.CurrentKey;

        public override ITimerService TimerService => host;

        public override TimeDomain TimeDomain => host.TimeDomain;

        public override void Output<T>(OutputTag<T> tag, T value) => host.Output(tag, value);

        public override IReadOnlyBroadcastState<TStateKey, TValue> GetBroadcastState<TStateKey, TValue>(MapStateDescriptor<TStateKey, TValue> descriptor)
            => broadcast.Get(descriptor);
    }

    private sealed class BroadcastSide(KeyedFunctionHost<TKey, TOut> host, BroadcastStateSet broadcast, OperatorContext context) : KeyedBroadcastContext<TKey>
    {
        public override long? Timestamp => host.Timestamp;

        public override long CurrentWatermark => host.CurrentWatermark;

        public override long CurrentProcessingTime => context.Now;

        public override IBroadcastState<TStateKey, TValue> GetBroadcastState<TStateKey, TValue>(MapStateDescriptor<TStateKey, TValue> descriptor)
            => broadcast.Get(descriptor);

        public override void Output<T>(OutputTag<T> tag, T value) => host.Output(tag, value);

        public override void ApplyToKeyedState(string stateName, Action<TKey> function) => host.ApplyToKeyedState(stateName, function);
    }
}

/// <summary>Runs a <see cref="BroadcastProcessFunction{TIn, TBroadcast, TOut}"/>: input 1 any stream, input 2 the broadcast stream.</summary>
public sealed class BroadcastProcessOperator<TIn, TBroadcast, TOut>(
    string name,
    BroadcastProcessFunction<TIn, TBroadcast, TOut> function,
    IReadOnlyList<IBroadcastStateDescriptor> descriptors) : TwoInputOperator<TIn, TBroadcast, TOut>(name), ICheckpointedOperator, IBroadcastStateOperator, ICollector<TOut>
{
    private BroadcastStateSet _broadcast = null!;
    private Contexts _contexts = null!;
    private long _timestamp;
    private long _watermark = Watermark.Initial;
    private long _recordsOut;

    public override long RecordsOut => _recordsOut;

    public override void Open(OperatorContext context)
    {
        base.Open(context);
        _broadcast = new BroadcastStateSet(Name, descriptors);
        if (context.State.RestoredCheckpointId is not null)
        {
            _broadcast.Restore(context.State.RestoredOperatorState, context.SubtaskIndex);
        }

        _contexts = new Contexts(this, new TaggedOutputs(SideOutputs));
        function.Open(new RuntimeContext(context, state: null));
    }

    public override void ProcessElement1(TIn value, long timestamp)
    {
        _timestamp = timestamp;
        function.ProcessElement(value, _contexts.ReadOnly, this);
    }

    public override void ProcessElement2(TBroadcast value, long timestamp)
    {
        _timestamp = timestamp;
        function.ProcessBroadcastElement(value, _contexts.Writable, this);
    }

    public override void ProcessWatermark(long watermark)
    {
        _watermark = watermark;
        Output.EmitWatermark(watermark);
    }

    public IReadOnlyList<byte[]> SnapshotOperatorState(long checkpointId) => [_broadcast.Snapshot()];

    public byte[] ExportBroadcastState() => _broadcast.Snapshot();

    public void ImportBroadcastState(byte[] state) => _broadcast.Restore([state], 0);

    public void Collect(TOut value)
    {
        _recordsOut++;
        Output.Collect(value, _timestamp);
    }

    public override ValueTask CloseAsync()
    {
        function.Close();
        return ValueTask.CompletedTask;
    }

    private long? Timestamp => _timestamp == Watermark.NoTimestamp ? null : _timestamp;

    private sealed class Contexts(BroadcastProcessOperator<TIn, TBroadcast, TOut> owner, TaggedOutputs sideOutputs)
    {
        public ReadOnlyBroadcastContext ReadOnly { get; } = new ReadOnlySide(owner, sideOutputs);

        public BroadcastContext Writable { get; } = new WritableSide(owner, sideOutputs);
    }

    private sealed class ReadOnlySide(BroadcastProcessOperator<TIn, TBroadcast, TOut> owner, TaggedOutputs sideOutputs) : ReadOnlyBroadcastContext
    {
        public override long? Timestamp => owner.Timestamp;

        public override long CurrentWatermark => owner._watermark;

        public override long CurrentProcessingTime => owner.Context.Now;

        public override IReadOnlyBroadcastState<TKey, TValue> GetBroadcastState<TKey, TValue>(MapStateDescriptor<TKey, TValue> descriptor)
            => owner._broadcast.Get(descriptor);

        public override void Output<T>(OutputTag<T> tag, T value) => sideOutputs.Collect(tag, value, owner._timestamp);
    }

    private sealed class WritableSide(BroadcastProcessOperator<TIn, TBroadcast, TOut> owner, TaggedOutputs sideOutputs) : BroadcastContext
    {
        public override long? Timestamp => owner.Timestamp;

        public override long CurrentWatermark => owner._watermark;

        public override long CurrentProcessingTime => owner.Context.Now;

        public override IBroadcastState<TKey, TValue> GetBroadcastState<TKey, TValue>(MapStateDescriptor<TKey, TValue> descriptor)
            => owner._broadcast.Get(descriptor);

        public override void Output<T>(OutputTag<T> tag, T value) => sideOutputs.Collect(tag, value, owner._timestamp);
    }
}
