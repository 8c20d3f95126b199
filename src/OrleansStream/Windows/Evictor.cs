namespace OrleansStream.Windows;

/// <summary>The clocks an evictor may read (Flink's Evictor.EvictorContext).</summary>
public sealed class EvictorContext
{
    internal EvictorContext(long currentProcessingTime, long currentWatermark)
    {
        CurrentProcessingTime = currentProcessingTime;
        CurrentWatermark = currentWatermark;
    }

    public long CurrentProcessingTime { get; }

    public long CurrentWatermark { get; }
}

/// <summary>
/// Removes elements from a window when it fires (Flink's Evictor), before the window function sees them
/// (<see cref="EvictBefore"/>) or after (<see cref="EvictAfter"/>); removed elements leave the window for good.
/// This kind does not look at the element's value, as the built-in count and time evictors; one that does
/// derives from <see cref="Evictor{T}"/>.
/// </summary>
public abstract class Evictor
{
    public abstract void EvictBefore<T>(List<TimestampedValue<T>> elements, TimeWindow window, EvictorContext context);

    public abstract void EvictAfter<T>(List<TimestampedValue<T>> elements, TimeWindow window, EvictorContext context);

    /// <summary>The evictor as one over elements of type <typeparamref name="T"/>.</summary>
    public Evictor<T> For<T>() => new ElementAgnostic<T>(this);

    private sealed class ElementAgnostic<T>(Evictor inner) : Evictor<T>
    {
        public override void EvictBefore(List<TimestampedValue<T>> elements, TimeWindow window, EvictorContext context) => inner.EvictBefore(elements, window, context);

        public override void EvictAfter(List<TimestampedValue<T>> elements, TimeWindow window, EvictorContext context) => inner.EvictAfter(elements, window, context);

        public override string ToString() => inner.ToString() ?? nameof(Evictor);
    }
}

/// <summary>
/// An evictor with one rule applied at one point, before the window function or after it, as Flink's built-in
/// evictors are (their doEvictAfter flag).
/// </summary>
public abstract class SinglePointEvictor(bool evictAfter) : Evictor
{
    public sealed override void EvictBefore<T>(List<TimestampedValue<T>> elements, TimeWindow window, EvictorContext context)
    {
        if (!evictAfter)
        {
            Evict(elements);
        }
    }

    public sealed override void EvictAfter<T>(List<TimestampedValue<T>> elements, TimeWindow window, EvictorContext context)
    {
        if (evictAfter)
        {
            Evict(elements);
        }
    }

    /// <summary>Removes what the rule removes from <paramref name="elements"/>.</summary>
    protected abstract void Evict<T>(List<TimestampedValue<T>> elements);
}

/// <summary>An evictor over elements of type <typeparamref name="T"/> (Flink's Evictor&lt;T, W&gt;); see <see cref="Evictor"/>.</summary>
public abstract class Evictor<T>
{
    public abstract void EvictBefore(List<TimestampedValue<T>> elements, TimeWindow window, EvictorContext context);

    public abstract void EvictAfter(List<TimestampedValue<T>> elements, TimeWindow window, EvictorContext context);
}
