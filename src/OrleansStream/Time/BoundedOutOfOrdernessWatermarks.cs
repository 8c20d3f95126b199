namespace OrleansStream.Time;

/// <summary>
/// Assumes no record arrives more than <c>bound</c> behind the highest timestamp seen so far: the
/// watermark is <c>max timestamp - bound - 1</c>. A zero bound is the ascending-timestamps case.
/// </summary>
public sealed class BoundedOutOfOrdernessWatermarks : IWatermarkGenerator
{
    private readonly long _boundMillis;
    private long _maxTimestamp;

    public BoundedOutOfOrdernessWatermarks(TimeSpan bound)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(bound, TimeSpan.Zero);
        _boundMillis = (long)bound.TotalMilliseconds;
        _maxTimestamp = long.MinValue + _boundMillis + 1;
    }

    public void OnEvent(long timestamp)
    {
        if (timestamp > _maxTimestamp)
        {
            _maxTimestamp = timestamp;
        }
    }

    public long CurrentWatermark => _maxTimestamp - _boundMillis - 1;
}
