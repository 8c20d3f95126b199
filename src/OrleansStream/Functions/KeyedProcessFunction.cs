namespace OrleansStream.Functions;

/// <summary>
/// What keyed process functions of one and two inputs share besides their elements: the lifecycle of a
/// rich function and the timers of the current key (Flink's AbstractRichFunction with OnTimer).
/// </summary>
public abstract class KeyedProcessFunctionBase<TKey, TOut>
    where TKey : notnull
{
    private protected KeyedProcessFunctionBase()
    {
    }

    /// <summary>Called once per subtask before the first element or timer; get state handles here.</summary>
    public virtual void Open(RuntimeContext context) { }

    /// <summary>A timer of the current key fired: <paramref name="timestamp"/> is its time.</summary>
    public virtual void OnTimer(long timestamp, OnTimerContext<TKey> context, ICollector<TOut> output) { }

    /// <summary>Called when the subtask ends or is cancelled.</summary>
    public virtual void Close() { }
}

/// <summary>
/// The lowest-level keyed operator (Flink's KeyedProcessFunction): per element, with keyed state, timers
/// in both time domains and side outputs. What is emitted from <see cref="ProcessElement"/> carries the
/// element's timestamp, and from an event-time timer the timer's time.
/// </summary>
/// <remarks>
/// Each subtask has an instance of its own (the job's graph is built per subtask), so fields set in
/// <see cref="KeyedProcessFunctionBase{TKey, TOut}.Open"/> are safe; state that must survive a failure belongs in keyed state, not in fields.
/// </remarks>
public abstract class KeyedProcessFunction<TKey, TIn, TOut> : KeyedProcessFunctionBase<TKey, TOut>
    where TKey : notnull
{
    public abstract void ProcessElement(TIn value, KeyedProcessContext<TKey> context, ICollector<TOut> output);
}

/// <summary>
/// A keyed process function over two connected streams keyed the same way (Flink's KeyedCoProcessFunction):
/// both inputs share the key's state and timers, so it can join, enrich or correlate the two streams.
/// </summary>
public abstract class KeyedCoProcessFunction<TKey, TIn1, TIn2, TOut> : KeyedProcessFunctionBase<TKey, TOut>
    where TKey : notnull
{
    public abstract void ProcessElement1(TIn1 value, KeyedProcessContext<TKey> context, ICollector<TOut> output);

    public abstract void ProcessElement2(TIn2 value, KeyedProcessContext<TKey> context, ICollector<TOut> output);
}
