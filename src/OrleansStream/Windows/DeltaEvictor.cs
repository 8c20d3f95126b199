namespace OrleansStream.Windows;

/// <summary>
/// Removes the elements of a window whose delta to its last element is at least a threshold (Flink's DeltaEvictor).
/// </summary>
public static class DeltaEvictor
{
    /// <param name="threshold">Elements with a delta at or above this are removed.</param>
    /// <param name="delta">The distance between an element and the window's last element.</param>
    /// <param name="doEvictAfter">Evict after the window function instead of before it.</param>
    public static Evictor<T> Of<T>(double threshold, Func<T, T, double> delta, bool doEvictAfter = false)
        => new Delta<T>(threshold, delta ?? throw new ArgumentNullException(nameof(delta)), doEvictAfter);

    private sealed class Delta<T>(double threshold, Func<T, T, double> delta, bool evictAfter) : Evictor<T>
    {
        public override void EvictBefore(List<TimestampedValue<T>> elements, TimeWindow window, EvictorContext context)
        {
            if (!evictAfter)
            {
                Evict(elements);
            }
        }

        public override void EvictAfter(List<TimestampedValue<T>> elements, TimeWindow window, EvictorContext context)
        {
            if (evictAfter)
            {
                Evict(elements);
            }
        }

        public override string ToString() => $"DeltaEvictor({threshold})";

        private void Evict(List<TimestampedValue<T>> elements)
        {
            if (elements.Count == 0)
            {
                return;
            }

            var last = elements[^1].Value;
            elements.RemoveAll(e => delta(e.Value, last) >= threshold);
        }
    }
}
