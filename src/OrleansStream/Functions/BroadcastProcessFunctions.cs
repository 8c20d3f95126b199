using OrleansStream.State;

namespace OrleansStream.Functions;

/// <summary>What the broadcast side of a broadcast process function sees: the element's time, side outputs and the writable broadcast state.</summary>
public abstract class BroadcastContext
{
    /// <summary>The broadcast element's event timestamp; null when it has none.</summary>
    public abstract long? Timestamp { get; }

    public abstract long CurrentWatermark { get; }

    public abstract long CurrentProcessingTime { get; }

    /// <summary>This subtask's copy of a broadcast state: apply the same update on every subtask (do not depend on the subtask or on keyed state).</summary>
    public abstract IBroadcastState<TKey, TValue> GetBroadcastState<TKey, TValue>(MapStateDescriptor<TKey, TValue> descriptor)
        where TKey : notnull;

    public abstract void Output<T>(OutputTag<T> tag, T value);
}

/// <summary>What the broadcast side of a keyed broadcast process function sees: also every key's state on this subtask.</summary>
public abstract class KeyedBroadcastContext<TKey> : BroadcastContext
{
    /// <summary>
    /// Calls <paramref name="function"/> once for every key of this subtask that has a value in the keyed state
    /// <paramref name="stateName"/>, with that key current, so that it can read and change the key's state
    /// (Flink's applyToKeyedState).
    /// </summary>
    public abstract void ApplyToKeyedState(string stateName, Action<TKey> function);
}

/// <summary>What the keyed side of a keyed broadcast process function sees: a keyed process context with read-only broadcast state.</summary>
public abstract class KeyedReadOnlyBroadcastContext<TKey> : OnTimerContext<TKey>
{
    public abstract IReadOnlyBroadcastState<TStateKey, TValue> GetBroadcastState<TStateKey, TValue>(MapStateDescriptor<TStateKey, TValue> descriptor)
        where TStateKey : notnull;
}

/// <summary>What the non-broadcast side of a (non-keyed) broadcast process function sees.</summary>
public abstract class ReadOnlyBroadcastContext
{
    public abstract long? Timestamp { get; }

    public abstract long CurrentWatermark { get; }

    public abstract long CurrentProcessingTime { get; }

    public abstract IReadOnlyBroadcastState<TKey, TValue> GetBroadcastState<TKey, TValue>(MapStateDescriptor<TKey, TValue> descriptor)
        where TKey : notnull;

    public abstract void Output<T>(OutputTag<T> tag, T value);
}

/// <summary>
/// A keyed stream connected with a broadcast stream (Flink's KeyedBroadcastProcessFunction): every subtask
/// receives every broadcast element (rules, configuration) and keeps it in broadcast state, which the keyed
/// side reads while it processes its keys with keyed state and timers. Broadcast state is checkpointed.
/// </summary>
public abstract class KeyedBroadcastProcessFunction<TKey, TIn, TBroadcast, TOut>
    where TKey : notnull
{
    public virtual void Open(RuntimeContext context) { }

    /// <summary>An element of the keyed stream; the context's timer service and keyed state belong to its key.</summary>
    public abstract void ProcessElement(TIn value, KeyedReadOnlyBroadcastContext<TKey> context, ICollector<TOut> output);

    /// <summary>An element of the broadcast stream, seen by every subtask.</summary>
    public abstract void ProcessBroadcastElement(TBroadcast value, KeyedBroadcastContext<TKey> context, ICollector<TOut> output);

    /// <summary>A timer of the current key fired; <see cref="OnTimerContext{TKey}.TimeDomain"/> says which kind.</summary>
    public virtual void OnTimer(long timestamp, KeyedReadOnlyBroadcastContext<TKey> context, ICollector<TOut> output) { }

    public virtual void Close() { }
}

/// <summary>A non-keyed stream connected with a broadcast stream (Flink's BroadcastProcessFunction).</summary>
public abstract class BroadcastProcessFunction<TIn, TBroadcast, TOut>
{
    public virtual void Open(RuntimeContext context) { }

    public abstract void ProcessElement(TIn value, ReadOnlyBroadcastContext context, ICollector<TOut> output);

    public abstract void ProcessBroadcastElement(TBroadcast value, BroadcastContext context, ICollector<TOut> output);

    public virtual void Close() { }
}
