namespace OrleansStream.Windows;

/// <summary>Keeps only the last <c>n</c> elements of a window, before the window function runs or after it (Flink's CountEvictor).</summary>
public sealed class CountEvictor : SinglePointEvictor
{
    private readonly int _maxCount;

    private CountEvictor(int maxCount, bool evictAfter) : base(evictAfter)
    {
        _maxCount = maxCount;
    }

    /// <param name="maxCount">How many elements to keep.</param>
    /// <param name="doEvictAfter">Evict after the window function instead of before it.</param>
    public static CountEvictor Of(int maxCount, bool doEvictAfter = false)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxCount, 0);
        return new CountEvictor(maxCount, doEvictAfter);
    }

    public override string ToString() => $"CountEvictor({_maxCount})";

    protected override void Evict<T>(List<TimestampedValue<T>> elements)
    {
        if (elements.Count > _maxCount)
        {
            elements.RemoveRange(0, elements.Count - _maxCount);
        }
    }
}
