namespace OrleansStream.Functions;

/// <summary>What a process join function sees for a joined pair: both elements' timestamps and side outputs.</summary>
public abstract class ProcessJoinContext
{
    public abstract long LeftTimestamp { get; }

    public abstract long RightTimestamp { get; }

    /// <summary>The pair's timestamp, and that of what is emitted for it: the later of the two.</summary>
    public abstract long Timestamp { get; }

    public abstract void Output<T>(OutputTag<T> tag, T value);
}

/// <summary>Receives each pair an interval join matches (Flink's ProcessJoinFunction).</summary>
public abstract class ProcessJoinFunction<TLeft, TRight, TOut>
{
    public virtual void Open(RuntimeContext context) { }

    public abstract void ProcessElement(TLeft left, TRight right, ProcessJoinContext context, ICollector<TOut> output);

    public virtual void Close() { }
}
