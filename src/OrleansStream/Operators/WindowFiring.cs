using OrleansStream.Functions;
using OrleansStream.State;
using OrleansStream.Windows;

namespace OrleansStream.Operators;

/// <summary>
/// The firing of one window, reused for every firing: the collector that stamps results with the window's last
/// timestamp (as Flink's TimestampedCollector) and the context a process window function sees.
/// </summary>
public sealed class WindowFiring<TOut> : ProcessWindowContext, ICollector<TOut>
{
    private readonly IOutput<TOut> _output;
    private readonly SideOutputs _sideOutputs;
    private readonly Func<long> _processingTime;
    private readonly Func<long> _watermark;
    private readonly Dictionary<string, object?> _sideOutputByTag = new(StringComparer.Ordinal);
    private TimeWindow _window;

    internal WindowFiring(IOutput<TOut> output, SideOutputs sideOutputs, IKeyedStateStore globalState, Func<long> processingTime, Func<long> watermark)
    {
        _output = output;
        _sideOutputs = sideOutputs;
        GlobalState = globalState;
        _processingTime = processingTime;
        _watermark = watermark;
    }

    public long RecordsOut { get; private set; }

    /// <summary>Records emitted to side outputs that no stream reads.</summary>
    public long SideOutputRecordsDropped { get; private set; }

    public override TimeWindow Window => _window;

    public override long CurrentProcessingTime => _processingTime();

    public override long CurrentWatermark => _watermark();

    public override IKeyedStateStore GlobalState { get; }

    internal void Begin(TimeWindow window) => _window = window;

    public void Collect(TOut value)
    {
        RecordsOut++;
        _output.Collect(value, _window.MaxTimestamp);
    }

    public override void Output<T>(OutputTag<T> tag, T value)
    {
        ArgumentNullException.ThrowIfNull(tag);
        if (!_sideOutputByTag.TryGetValue(tag.Id, out var output))
        {
            _sideOutputByTag[tag.Id] = output = _sideOutputs.Get(tag);
        }

        if (output is IOutput<T> side)
        {
            side.Collect(value, _window.MaxTimestamp);
        }
        else
        {
            SideOutputRecordsDropped++;
        }
    }
}

/// <summary>The keyed state of an operator as a function's state store, with time to live on the operator's clock.</summary>
internal sealed class BackendStateStore<TKey>(KeyedStateBackend<TKey> state, TimeProvider clock) : IKeyedStateStore
    where TKey : notnull
{
    public IValueState<T> GetValueState<T>(string name, StateTtlConfig? ttl = null) => state.GetValueState<T>($"user-{name}", ttl, clock);

    public IListState<T> GetListState<T>(string name, StateTtlConfig? ttl = null) => state.GetListState<T>($"user-{name}", ttl, clock);

    public IMapState<TUserKey, TUserValue> GetMapState<TUserKey, TUserValue>(string name, StateTtlConfig? ttl = null)
        where TUserKey : notnull
        => state.GetMapState<TUserKey, TUserValue>($"user-{name}", ttl, clock);
}
