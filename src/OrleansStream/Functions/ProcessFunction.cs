namespace OrleansStream.Functions;

/// <summary>What a process function on a non-keyed stream sees (Flink's ProcessFunction.Context): times and side outputs; timers need a keyed stream.</summary>
public abstract class ProcessContext
{
    /// <summary>The element's event timestamp; null when it has none.</summary>
    public abstract long? Timestamp { get; }

    public abstract long CurrentWatermark { get; }

    public abstract long CurrentProcessingTime { get; }

    /// <summary>Emits <paramref name="value"/> to the side output <paramref name="tag"/>, with the element's timestamp.</summary>
    public abstract void Output<T>(OutputTag<T> tag, T value);
}

/// <summary>
/// A function of each element of a non-keyed stream with access to its timestamp, the watermark and side
/// outputs (Flink's ProcessFunction). For keyed state and timers use a <see cref="KeyedProcessFunction{TKey, TIn, TOut}"/>.
/// </summary>
public abstract class ProcessFunction<TIn, TOut>
{
    public virtual void Open(RuntimeContext context) { }

    public abstract void ProcessElement(TIn value, ProcessContext context, ICollector<TOut> output);

    public virtual void Close() { }
}
