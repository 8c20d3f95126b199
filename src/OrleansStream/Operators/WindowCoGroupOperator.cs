using OrleansStream.Functions;
using OrleansStream.State;
using OrleansStream.Time;
using OrleansStream.Windows;

namespace OrleansStream.Operators;

/// <summary>
/// Groups two keyed streams by key and event-time window and hands each (key, window) both groups when the
/// watermark passes the window (Flink's coGroup, on which its window join is built). Elements wait in keyed
/// list state with their window; an event-time timer per key and window fires the group and drops its state.
/// An element whose windows have all fired is late and dropped.
/// </summary>
public sealed class WindowCoGroupOperator<TKey, TLeft, TRight, TOut> : TwoInputOperator<TLeft, TRight, TOut>, ITimerTarget<TKey, long>, ICollector<TOut>
    where TKey : notnull
{
    private readonly Func<TLeft, TKey> _leftKey;
    private readonly Func<TRight, TKey> _rightKey;
    private readonly AlignedWindowAssigner _assigner;
    private readonly Action<TKey, TimeWindow, IReadOnlyList<TLeft>, IReadOnlyList<TRight>, ICollector<TOut>> _coGroup;
    private readonly List<TimeWindow> _windows = new();
    private KeyedStateBackend<TKey> _state = null!;
    private IListState<(long End, TLeft Value)> _left = null!;
    private IListState<(long End, TRight Value)> _right = null!;
    private InternalTimerService<TKey, long> _timers = null!;
    private long _timestamp;
    private long _recordsOut;

    public WindowCoGroupOperator(
        string name,
        Func<TLeft, TKey> leftKey,
        Func<TRight, TKey> rightKey,
        AlignedWindowAssigner assigner,
        Action<TKey, TimeWindow, IReadOnlyList<TLeft>, IReadOnlyList<TRight>, ICollector<TOut>> coGroup) : base(name)
    {
        if (!assigner.IsEventTime)
        {
            throw new ArgumentException($"Operator '{name}': window joins and co-groups take event-time tumbling or sliding windows, not {assigner}.", nameof(assigner));
        }

        _leftKey = leftKey;
        _rightKey = rightKey;
        _assigner = assigner;
        _coGroup = coGroup;
    }

    public override long RecordsOut => _recordsOut;

    /// <summary>Elements whose windows had all fired when they arrived.</summary>
    public long LateRecordsDropped { get; private set; }

    public override void Open(OperatorContext context)
    {
        base.Open(context);
        _state = context.State.GetKeyedStateBackend<TKey>();
        _left = _state.GetListState<(long, TLeft)>("left");
        _right = _state.GetListState<(long, TRight)>("right");
        _timers = _state.GetTimerService<long>("window-timers");
        _timers.Bind(this);
    }

    public override void ProcessElement1(TLeft value, long timestamp)
    {
        _state.SetCurrentKey(_leftKey(value));
        AddToWindows(timestamp, end => _left.Add((end, value)));
    }

    public override void ProcessElement2(TRight value, long timestamp)
    {
        _state.SetCurrentKey(_rightKey(value));
        AddToWindows(timestamp, end => _right.Add((end, value)));
    }

    public override void ProcessWatermark(long watermark)
    {
        _timers.AdvanceWatermark(watermark);
        Output.EmitWatermark(watermark);
    }

    /// <summary>The window ending at the timer's namespace is complete for the current key: co-group it and drop its elements.</summary>
    public void OnEventTime(InternalTimer<TKey, long> timer)
    {
        long end = timer.Namespace;
        var left = Take(_left, end);
        var right = Take(_right, end);
        var window = new TimeWindow(end - _assigner.Size, end);
        _timestamp = window.MaxTimestamp;
        _coGroup(timer.Key, window, left, right, this);
    }

    public void OnProcessingTime(InternalTimer<TKey, long> timer) { }

    public void Collect(TOut value)
    {
        _recordsOut++;
        Output.Collect(value, _timestamp);
    }

    private void AddToWindows(long timestamp, Action<long> add)
    {
        if (timestamp == Watermark.NoTimestamp)
        {
            throw new InvalidOperationException($"Operator '{Name}' received a record without an event timestamp. Assign timestamps with a WatermarkStrategy before a window join.");
        }

        _windows.Clear();
        _assigner.AssignWindows(timestamp, _windows);
        bool added = false;
        foreach (var window in _windows)
        {
            if (window.MaxTimestamp <= _timers.CurrentWatermark)
            {
                continue;
            }

            add(window.End);
            _timers.RegisterEventTimeTimer(window.End, window.MaxTimestamp);
            added = true;
        }

        if (!added)
        {
            LateRecordsDropped++;
        }
    }

    /// <summary>Removes and returns the elements of the window ending at <paramref name="end"/>, in arrival order.</summary>
    private static IReadOnlyList<T> Take<T>(IListState<(long End, T Value)> state, long end)
    {
        var all = state.Get();
        var taken = all.Where(e => e.End == end).Select(e => e.Value).ToList();
        if (taken.Count > 0)
        {
            state.Update(all.Where(e => e.End != end));
        }

        return taken;
    }
}
