using OrleansStream.Time;

namespace OrleansStream.Operators;

/// <summary>
/// Gives records their event timestamps and generates watermarks from them. It ignores upstream
/// watermarks except the end of time, which it passes on when its input ends. Watermarks are emitted
/// on the processing-time tick, at most once per <c>interval</c>, like Flink's periodic watermarks.
/// </summary>
public sealed class TimestampsAndWatermarksOperator<T> : OneInputOperator<T, T>
{
    private readonly WatermarkStrategy<T> _strategy;
    private readonly long _intervalMillis;
    private readonly long _idleMillis;
    private IWatermarkGenerator _generator = null!;
    private long _lastEmitted = Watermark.Initial;
    private long _lastEmitTime;
    private long _lastRecordTime;
    private bool _idle;

    public TimestampsAndWatermarksOperator(string name, WatermarkStrategy<T> strategy, TimeSpan interval) : base(name)
    {
        _strategy = strategy;
        _intervalMillis = Math.Max(0, (long)interval.TotalMilliseconds);
        _idleMillis = strategy.Idleness is { } idle ? (long)idle.TotalMilliseconds : long.MaxValue;
    }

    public override void Open(OperatorContext context)
    {
        base.Open(context);
        _generator = _strategy.CreateGenerator();
        _lastRecordTime = context.Now;
    }

    public override void ProcessElement(T value, long timestamp)
    {
        if (_strategy.TimestampAssigner is { } assign)
        {
            timestamp = assign(value);
        }

        if (timestamp != Watermark.NoTimestamp)
        {
            _generator.OnEvent(timestamp);
        }

        _lastRecordTime = long.MinValue;
        if (_idle)
        {
            _idle = false;
            Output.EmitIdle(false);
        }

        Output.Collect(value, timestamp);
    }

    public override void ProcessWatermark(long watermark)
    {
        if (watermark == Watermark.EndOfTime)
        {
            _lastEmitted = watermark;
            Output.EmitWatermark(watermark);
        }
    }

    public override void OnProcessingTime(long now)
    {
        if (_lastRecordTime == long.MinValue)
        {
            _lastRecordTime = now;
        }
        else if (!_idle && now - _lastRecordTime >= _idleMillis)
        {
            _idle = true;
            Output.EmitIdle(true);
            return;
        }

        if (now - _lastEmitTime < _intervalMillis)
        {
            return;
        }

        _lastEmitTime = now;
        long watermark = _generator.CurrentWatermark;
        if (watermark > _lastEmitted && _lastEmitted != Watermark.EndOfTime)
        {
            _lastEmitted = watermark;
            Output.EmitWatermark(watermark);
        }
    }
}
