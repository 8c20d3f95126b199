using OrleansStream.Functions;
using OrleansStream.State;
using OrleansStream.Time;

namespace OrleansStream.Operators;

/// <summary>
/// Joins two keyed streams on time intervals (Flink's IntervalJoinOperator): a left element at time t matches
/// every right element of the same key whose time lies in [t + lower, t + upper] (bounds optionally exclusive).
/// Both sides wait in keyed state; an element is dropped from its buffer by an event-time timer once the
/// watermark rules out any further match, and an element behind the watermark on arrival is late and dropped.
/// </summary>
public sealed class IntervalJoinOperator<TKey, TLeft, TRight, TOut> : TwoInputOperator<TLeft, TRight, TOut>, ITimerTarget<TKey, int>, ICollector<TOut>
    where TKey : notnull
{
    private const int LeftSide = 0;
    private const int RightSide = 1;
    private readonly Func<TLeft, TKey> _leftKey;
    private readonly Func<TRight, TKey> _rightKey;
    private readonly ProcessJoinFunction<TLeft, TRight, TOut> _function;
    private readonly long _lower;
    private readonly long _upper;
    private KeyedStateBackend<TKey> _state = null!;
    private IListState<(long Ts, TLeft Value)> _left = null!;
    private IListState<(long Ts, TRight Value)> _right = null!;
    private InternalTimerService<TKey, int> _timers = null!;
    private JoinContext _context = null!;
    private long _recordsOut;

    /// <summary>
    /// Joins right elements at times in [left + <paramref name="lower"/>, left + <paramref name="upper"/>], both bounds
    /// inclusive (exclusive bounds are folded in by the caller).
    /// </summary>
    /// <param name="name">The operator's name.</param>
    /// <param name="leftKey">The key of a left element.</param>
    /// <param name="rightKey">The key of a right element.</param>
    /// <param name="lower">The lowest right time relative to the left one, in milliseconds.</param>
    /// <param name="upper">The highest right time relative to the left one, in milliseconds.</param>
    /// <param name="function">What a matched pair becomes.</param>
    public IntervalJoinOperator(string name, Func<TLeft, TKey> leftKey, Func<TRight, TKey> rightKey, long lower, long upper, ProcessJoinFunction<TLeft, TRight, TOut> function)
        : base(name)
    {
        if (lower > upper)
        {
            throw new ArgumentException($"The interval join's lower bound {lower} ms is above its upper bound {upper} ms: nothing could match.");
        }

        _leftKey = leftKey;
        _rightKey = rightKey;
        _lower = lower;
        _upper = upper;
        _function = function;
    }

    public override long RecordsOut => _recordsOut;

    /// <summary>Elements that arrived behind the watermark and joined nothing.</summary>
    public long LateRecordsDropped { get; private set; }

    public override void Open(OperatorContext context)
    {
        base.Open(context);
        _state = context.State.GetKeyedStateBackend<TKey>();
        _left = _state.GetListState<(long, TLeft)>("left");
        _right = _state.GetListState<(long, TRight)>("right");
        _timers = _state.GetTimerService<int>("interval-join-timers");
        _timers.Bind(this);
        _context = new JoinContext(new TaggedOutputs(SideOutputs));
        _function.Open(new RuntimeContext(context, state: null));
    }

    public override void ProcessElement1(TLeft value, long timestamp)
    {
        if (IsLate(timestamp))
        {
            return;
        }

        _state.SetCurrentKey(_leftKey(value));
        _left.Add((timestamp, value));
        foreach (var (ts, right) in _right.Get())
        {
            if (ts >= timestamp + _lower && ts <= timestamp + _upper)
            {
                Emit(value, timestamp, right, ts);
            }
        }

        // No right element at or behind the watermark can still arrive: past t + upper this one cannot match.
        _timers.RegisterEventTimeTimer(LeftSide, Saturating(timestamp, _upper));
    }

    public override void ProcessElement2(TRight value, long timestamp)
    {
        if (IsLate(timestamp))
        {
            return;
        }

        _state.SetCurrentKey(_rightKey(value));
        _right.Add((timestamp, value));
        foreach (var (ts, left) in _left.Get())
        {
            if (timestamp >= ts + _lower && timestamp <= ts + _upper)
            {
                Emit(left, ts, value, timestamp);
            }
        }

        _timers.RegisterEventTimeTimer(RightSide, Saturating(timestamp, -_lower));
    }

    public override void ProcessWatermark(long watermark)
    {
        _timers.AdvanceWatermark(watermark);
        Output.EmitWatermark(watermark);
    }

    public void OnEventTime(InternalTimer<TKey, int> timer)
    {
        if (timer.Namespace == LeftSide)
        {
            _left.Update(_left.Get().Where(e => Saturating(e.Ts, _upper) > timer.Timestamp));
        }
        else
        {
            _right.Update(_right.Get().Where(e => Saturating(e.Ts, -_lower) > timer.Timestamp));
        }
    }

    public void OnProcessingTime(InternalTimer<TKey, int> timer) { }

    public void Collect(TOut value)
    {
        _recordsOut++;
        Output.Collect(value, _context.Timestamp);
    }

    public override ValueTask CloseAsync()
    {
        _function.Close();
        return ValueTask.CompletedTask;
    }

    private bool IsLate(long timestamp)
    {
        if (timestamp == Watermark.NoTimestamp)
        {
            throw new InvalidOperationException($"Operator '{Name}' received a record without an event timestamp. Assign timestamps with a WatermarkStrategy before an interval join.");
        }

        if (timestamp >= _timers.CurrentWatermark)
        {
            return false;
        }

        LateRecordsDropped++;
        return true;
    }

    private void Emit(TLeft left, long leftTimestamp, TRight right, long rightTimestamp)
    {
        _context.Set(leftTimestamp, rightTimestamp);
        _function.ProcessElement(left, right, _context, this);
    }

    private static long Saturating(long time, long offset)
        => offset > 0 && time > long.MaxValue - offset ? long.MaxValue
            : offset < 0 && time < long.MinValue - offset ? long.MinValue
            : time + offset;

    private sealed class JoinContext(TaggedOutputs sideOutputs) : ProcessJoinContext
    {
        private long _left;
        private long _right;

        public override long LeftTimestamp => _left;

        public override long RightTimestamp => _right;

        public override long Timestamp => Math.Max(_left, _right);

        public void Set(long left, long right)
        {
            _left = left;
            _right = right;
        }

        public override void Output<T>(OutputTag<T> tag, T value) => sideOutputs.Collect(tag, value, Timestamp);
    }
}
