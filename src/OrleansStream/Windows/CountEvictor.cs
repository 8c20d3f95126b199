namespace OrleansStream.Windows;

/// <summary>Keeps only the last <c>n</c> elements of a window, before the window function runs or after it (Flink's CountEvictor).</summary>
public sealed class CountEvictor : Evictor
{
    private readonly int _maxCount;
    private readonly bool _evictAfter;

    private CountEvictor(int maxCount, bool evictAfter)
    {
        _maxCount = maxCount;
        _evictAfter = evictAfter;
    }

    /// <param name="maxCount">How many elements to keep.</param>
    /// <param name="doEvictAfter">Evict after the window function instead of before it.</param>
    public static CountEvictor Of(int maxCount, bool doEvictAfter = false)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxCount, 0);
        return new CountEvictor(maxCount, doEvictAfter);
    }

    public override void EvictBefore<T>(List<TimestampedValue<T>> elements, TimeWindow window, EvictorContext context)
    {
        if (!_evictAfter)
        {
            Evict(elements);
        }
    }

    public override void EvictAfter<T>(List<TimestampedValue<T>> elements, TimeWindow window, EvictorContext context)
    {
        if (_evictAfter)
        {
            Evict(elements);
        }
    }

    public override string ToString() => $"CountEvictor({_maxCount})";

    private void Evict<T>(List<TimestampedValue<T>> elements)
    {
        if (elements.Count > _maxCount)
        {
            elements.RemoveRange(0, elements.Count - _maxCount);
        }
    }
}
