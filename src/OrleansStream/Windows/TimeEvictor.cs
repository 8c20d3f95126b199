namespace OrleansStream.Windows;

/// <summary>
/// Keeps only the elements of a window within <c>span</c> of its newest element (Flink's TimeEvictor): an
/// element whose timestamp is at most the newest timestamp minus the span is removed. Windows whose elements
/// carry no timestamps are left alone.
/// </summary>
public sealed class TimeEvictor : SinglePointEvictor
{
    private readonly long _span;

    private TimeEvictor(long span, bool evictAfter) : base(evictAfter)
    {
        _span = span;
    }

    /// <param name="span">How far behind the newest element an element may be and stay.</param>
    /// <param name="doEvictAfter">Evict after the window function instead of before it.</param>
    public static TimeEvictor Of(TimeSpan span, bool doEvictAfter = false)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(span, TimeSpan.Zero);
        return new TimeEvictor((long)span.TotalMilliseconds, doEvictAfter);
    }

    public override string ToString() => $"TimeEvictor({TimeSpan.FromMilliseconds(_span)})";

    protected override void Evict<T>(List<TimestampedValue<T>> elements)
    {
        if (elements.Count == 0 || !elements.Exists(e => e.HasTimestamp))
        {
            return;
        }

        long newest = elements.Where(e => e.HasTimestamp).Max(e => e.Timestamp);
        long cutoff = newest - _span;
        elements.RemoveAll(e => e.Timestamp <= cutoff);
    }
}
