using OrleansStream.State;
using OrleansStream.Windows;

namespace OrleansStream.Functions;

/// <summary>
/// A function over all elements of a window at once (Flink's ProcessWindowFunction): called when the window
/// fires, with the key, the window's elements in arrival order and a context. The window keeps its elements
/// (not an accumulator) for it; prefer an aggregate when the result can be computed incrementally.
/// </summary>
/// <remarks>Each subtask has an instance of its own; state that must survive a failure belongs in keyed state.</remarks>
public abstract class ProcessWindowFunction<TIn, TOut, TKey>
{
    /// <summary>Called once per subtask before the first window fires.</summary>
    public virtual void Open(RuntimeContext context) { }

    public abstract void Process(TKey key, ProcessWindowContext context, IEnumerable<TIn> elements, ICollector<TOut> output);

    /// <summary>The window is removed (its end, plus the allowed lateness, has passed): drop what was kept for it.</summary>
    public virtual void Clear(ProcessWindowContext context) { }

    /// <summary>Called when the subtask ends or is cancelled.</summary>
    public virtual void Close() { }
}

/// <summary>A function over all elements of a non-keyed window (Flink's ProcessAllWindowFunction).</summary>
public abstract class ProcessAllWindowFunction<TIn, TOut>
{
    public virtual void Open(RuntimeContext context) { }

    public abstract void Process(ProcessWindowContext context, IEnumerable<TIn> elements, ICollector<TOut> output);

    public virtual void Clear(ProcessWindowContext context) { }

    public virtual void Close() { }
}

/// <summary>What a process window function knows while it runs (Flink's ProcessWindowFunction.Context).</summary>
public abstract class ProcessWindowContext
{
    private protected ProcessWindowContext() { }

    /// <summary>The window being processed.</summary>
    public abstract TimeWindow Window { get; }

    public abstract long CurrentProcessingTime { get; }

    public abstract long CurrentWatermark { get; }

    /// <summary>The current key's state, shared by all its windows (Flink's globalState).</summary>
    public abstract IKeyedStateStore GlobalState { get; }

    /// <summary>Emits <paramref name="value"/> to the side output <paramref name="tag"/>, stamped with the window's last timestamp.</summary>
    public abstract void Output<T>(OutputTag<T> tag, T value);
}
