using OrleansStream.Functions;
using OrleansStream.State;
using OrleansStream.Time;

namespace OrleansStream.Operators;

/// <summary>
/// Everything a keyed process operator gives its function, in one object reused for every element and
/// timer: the context (current key, timestamp, timers, side outputs), the collector that stamps what
/// the function emits, and the keyed state store. One- and two-input keyed process operators share it.
/// </summary>
internal sealed class KeyedFunctionHost<TKey, TOut> : OnTimerContext<TKey>, ITimerService, ICollector<TOut>, ITimerTarget<TKey, VoidNamespace>, IKeyedStateStore
    where TKey : notnull
{
    /// <summary>How many keys of each state with a time to live a clock tick checks for expired entries.</summary>
    private const int TtlSweepKeysPerTick = 128;

    /// <summary>The keyed state the timers are stored under: a name a function's own state will not take.</summary>
    private const string TimerStateName = "__timers";

    private readonly string _operatorName;
    private readonly OperatorContext _context;
    private readonly IOutput<TOut> _output;
    private readonly TaggedOutputs _sideOutputs;
    private readonly KeyedStateBackend<TKey> _state;
    private readonly InternalTimerService<TKey, VoidNamespace> _timers;
    private Action<long, OnTimerContext<TKey>, ICollector<TOut>> _onTimer = (_, _, _) => { };
    private long _timestamp = Watermark.NoTimestamp;
    private long _timerTime = Watermark.NoTimestamp;
    private bool _inTimer;
    private TimeDomain _domain;
    private bool _hasTtlState;

    public KeyedFunctionHost(string operatorName, OperatorContext context, IOutput<TOut> output, SideOutputs sideOutputs)
    {
        _operatorName = operatorName;
        _context = context;
        _output = output;
        _sideOutputs = new TaggedOutputs(sideOutputs);
        _state = context.State.GetKeyedStateBackend<TKey>();
        _timers = _state.GetTimerService<VoidNamespace>(TimerStateName);
        _timers.Bind(this);
        RuntimeContext = new RuntimeContext(context, this);
    }

    public RuntimeContext RuntimeContext { get; }

    /// <summary>A host for a keyed process function of one or two inputs: its timers go to its OnTimer, and it is opened.</summary>
    public static KeyedFunctionHost<TKey, TOut> Open(string operatorName, OperatorContext context, IOutput<TOut> output, SideOutputs sideOutputs, KeyedProcessFunctionBase<TKey, TOut> function)
    {
        var host = new KeyedFunctionHost<TKey, TOut>(operatorName, context, output, sideOutputs);
        host.OnTimer(function.OnTimer);
        function.Open(host.RuntimeContext);
        return host;
    }

    public long RecordsOut { get; private set; }

    /// <summary>Records emitted to side outputs that no stream reads.</summary>
    public long SideOutputRecordsDropped => _sideOutputs.Dropped;

    /// <summary>The element's timestamp, or in a timer the timer's time (in either domain, as in Flink).</summary>
    public override long? Timestamp => _inTimer ? _timerTime : _timestamp == Watermark.NoTimestamp ? null : _timestamp;

    public override TKey CurrentKey => _state.CurrentKey;

    public override ITimerService TimerService => this;

    public override TimeDomain TimeDomain => _domain;

    public long CurrentProcessingTime => _context.Now;

    public long CurrentWatermark => _timers.CurrentWatermark;

    /// <summary>Where fired timers go: the function's OnTimer.</summary>
    public void OnTimer(Action<long, OnTimerContext<TKey>, ICollector<TOut>> onTimer) => _onTimer = onTimer;

    /// <summary>Makes <paramref name="key"/> current and stamps what follows with <paramref name="timestamp"/>.</summary>
    public void SetCurrentElement(TKey key, long timestamp)
    {
        _state.SetCurrentKey(key);
        _timestamp = timestamp;
        _inTimer = false;
    }

    /// <summary>Stamps what follows with <paramref name="timestamp"/>, for elements that have no key (a broadcast input).</summary>
    public void SetCurrentTimestamp(long timestamp)
    {
        _timestamp = timestamp;
        _inTimer = false;
    }

    /// <summary>Calls <paramref name="function"/> for every key with a value in the keyed state <paramref name="stateName"/>, that key current.</summary>
    public void ApplyToKeyedState(string stateName, Action<TKey> function) => _state.ApplyToAllKeys(stateName, function);

    /// <summary>Fires the event-time timers the watermark has reached, then passes the watermark on.</summary>
    public void ProcessWatermark(long watermark)
    {
        _timers.AdvanceWatermark(watermark);
        _output.EmitWatermark(watermark);
    }

    public void OnProcessingTime(long now)
    {
        _timers.OnProcessingTime(now);
        if (_hasTtlState)
        {
            _state.SweepExpiredStateIncrementally(_context.Now, TtlSweepKeysPerTick);
        }
    }

    public void Collect(TOut value)
    {
        RecordsOut++;
        _output.Collect(value, _timestamp);
    }

    public override void Output<T>(OutputTag<T> tag, T value) => _sideOutputs.Collect(tag, value, _timestamp);

    public void RegisterEventTimeTimer(long time) => _timers.RegisterEventTimeTimer(VoidNamespace.Instance, time);

    public void RegisterProcessingTimeTimer(long time) => _timers.RegisterProcessingTimeTimer(VoidNamespace.Instance, time);

    public void DeleteEventTimeTimer(long time) => _timers.DeleteEventTimeTimer(VoidNamespace.Instance, time);

    public void DeleteProcessingTimeTimer(long time) => _timers.DeleteProcessingTimeTimer(VoidNamespace.Instance, time);

    void ITimerTarget<TKey, VoidNamespace>.OnEventTime(InternalTimer<TKey, VoidNamespace> timer)
        => Fire(TimeDomain.EventTime, timer.Timestamp, timer.Timestamp);

    void ITimerTarget<TKey, VoidNamespace>.OnProcessingTime(InternalTimer<TKey, VoidNamespace> timer)
        => Fire(TimeDomain.ProcessingTime, timer.Timestamp, Watermark.NoTimestamp);

    public IValueState<T> GetValueState<T>(string name, StateTtlConfig? ttl = null)
    {
        _hasTtlState |= ttl is not null;
        return _state.GetValueState<T>(name, ttl, _context.Clock);
    }

    public IListState<T> GetListState<T>(string name, StateTtlConfig? ttl = null)
    {
        _hasTtlState |= ttl is not null;
        return _state.GetListState<T>(name, ttl, _context.Clock);
    }

    public IMapState<TUserKey, TUserValue> GetMapState<TUserKey, TUserValue>(string name, StateTtlConfig? ttl = null)
        where TUserKey : notnull
    {
        _hasTtlState |= ttl is not null;
        return _state.GetMapState<TUserKey, TUserValue>(name, ttl, _context.Clock);
    }

    private void Fire(TimeDomain domain, long time, long outputTimestamp)
    {
        _domain = domain;
        _timestamp = outputTimestamp;
        _timerTime = time;
        _inTimer = true;
        try
        {
            _onTimer(time, this, this);
        }
        catch (Exception ex) when (ex is not OperatorException)
        {
            throw new OperatorException(_operatorName, ex);
        }
        finally
        {
            _inTimer = false;
        }
    }
}
