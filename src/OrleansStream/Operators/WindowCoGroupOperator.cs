using OrleansStream.Functions;
using OrleansStream.State;
using OrleansStream.Time;
using OrleansStream.Windows;

namespace OrleansStream.Operators;

/// <summary>
/// Groups two keyed streams by key and event-time window (tumbling or sliding) and hands each (key, window)
/// both groups when the watermark reaches the window's last millisecond (Flink's coGroup, on which its window
/// join is built). The elements wait in keyed state held per window end, as the aligned window operator keeps
/// its accumulators: a window fires for all its keys at once by taking it from the front, with no timer per
/// key. An element whose windows have all fired is late and dropped.
/// </summary>
public sealed class WindowCoGroupOperator<TKey, TLeft, TRight, TOut> : TwoInputOperator<TLeft, TRight, TOut>, ICollector<TOut>
    where TKey : notnull
{
    private readonly Func<TLeft, TKey> _leftKey;
    private readonly Func<TRight, TKey> _rightKey;
    private readonly AlignedWindowAssigner _assigner;
    private readonly Action<TKey, TimeWindow, IReadOnlyList<TLeft>, IReadOnlyList<TRight>, ICollector<TOut>> _coGroup;
    private readonly List<TimeWindow> _windows = new();
    private WindowStateTable<TKey, CoGroupBuffers<TLeft, TRight>> _buffers = null!;
    private long _watermark = Watermark.Initial;
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
        _buffers = context.State.GetKeyedStateBackend<TKey>().GetWindowState<CoGroupBuffers<TLeft, TRight>>("windows");
    }

    public override void ProcessElement1(TLeft value, long timestamp)
    {
        var key = _leftKey(value);
        foreach (var window in OpenWindowsOf(timestamp))
        {
            Buffers(window.End, key).AddLeft(value);
        }
    }

    public override void ProcessElement2(TRight value, long timestamp)
    {
        var key = _rightKey(value);
        foreach (var window in OpenWindowsOf(timestamp))
        {
            Buffers(window.End, key).AddRight(value);
        }
    }

    /// <summary>Co-groups every key of each window whose last millisecond the watermark has reached, earliest window first.</summary>
    public override void ProcessWatermark(long watermark)
    {
        if (watermark <= _watermark)
        {
            return;
        }

        _watermark = watermark;
        long maxEnd = watermark == long.MaxValue ? long.MaxValue : watermark + 1;
        while (_buffers.TryTakeFirst(maxEnd, out long end, out var keys))
        {
            var window = new TimeWindow(end - _assigner.Size, end);
            _timestamp = window.MaxTimestamp;
            foreach (var (key, buffers) in keys)
            {
                _coGroup(key, window, buffers.Left, buffers.Right, this);
            }
        }

        Output.EmitWatermark(watermark);
    }

    public void Collect(TOut value)
    {
        _recordsOut++;
        Output.Collect(value, _timestamp);
    }

    /// <summary>The windows of <paramref name="timestamp"/> that have not fired (a list reused per element); none when the element is late.</summary>
    private List<TimeWindow> OpenWindowsOf(long timestamp)
    {
        if (timestamp == Watermark.NoTimestamp)
        {
            throw new InvalidOperationException($"Operator '{Name}' received a record without an event timestamp. Assign timestamps with a WatermarkStrategy before a window join.");
        }

        _windows.Clear();
        _assigner.AssignWindows(timestamp, _windows);
        for (int i = _windows.Count - 1; i >= 0; i--)
        {
            if (_windows[i].MaxTimestamp <= _watermark)
            {
                _windows.RemoveAt(i);
            }
        }

        if (_windows.Count == 0)
        {
            LateRecordsDropped++;
        }

        return _windows;
    }

    private CoGroupBuffers<TLeft, TRight> Buffers(long end, TKey key)
    {
        ref var buffers = ref _buffers.GetOrAdd(end, key, out _);
        return buffers ??= new CoGroupBuffers<TLeft, TRight>();
    }
}
