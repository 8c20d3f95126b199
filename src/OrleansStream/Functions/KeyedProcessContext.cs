using OrleansStream.Time;

namespace OrleansStream.Functions;

/// <summary>
/// What a keyed process function sees while it processes an element or a timer (Flink's
/// KeyedProcessFunction.Context): the element's timestamp, the current key, timers and side outputs.
/// </summary>
public abstract class KeyedProcessContext<TKey>
{
    /// <summary>The element's event timestamp (the timer's time in an event-time timer); null when it has none.</summary>
    public abstract long? Timestamp { get; }

    /// <summary>The key of the element or timer being processed.</summary>
    public abstract TKey CurrentKey { get; }

    /// <summary>Timers of the current key, the clock and the watermark.</summary>
    public abstract ITimerService TimerService { get; }

    /// <summary>Emits <paramref name="value"/> to the side output <paramref name="tag"/>, with the current timestamp.</summary>
    public abstract void Output<T>(OutputTag<T> tag, T value);
}

/// <summary>What a keyed process function sees in <c>OnTimer</c> (Flink's OnTimerContext).</summary>
public abstract class OnTimerContext<TKey> : KeyedProcessContext<TKey>
{
    /// <summary>Whether the firing timer is an event-time or a processing-time timer.</summary>
    public abstract TimeDomain TimeDomain { get; }
}
