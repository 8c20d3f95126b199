using OrleansStream.Functions;
using OrleansStream.Graph;
using OrleansStream.Operators;
using OrleansStream.Windows;

namespace OrleansStream.Api;

/// <summary>A stream partitioned by key: keyed state and windows apply per key.</summary>
public sealed class KeyedStream<T, TKey> : DataStream<T> where TKey : notnull
{
    internal KeyedStream(StreamBuilder builder, Transformation<T> transformation, Func<T, TKey> keySelector)
        : base(builder, transformation) => KeySelector = keySelector;

    public Func<T, TKey> KeySelector { get; }

    /// <summary>Rolling reduce: emits the reduced value of the key after every element.</summary>
    public DataStream<T> Reduce(Func<T, T, T> reducer, string name = "Reduce")
    {
        ArgumentNullException.ThrowIfNull(reducer);
        return Aggregate(AggregateFunction.Reduce(reducer), name);
    }

    /// <summary>Rolling aggregate: emits the key's current result after every element.</summary>
    public DataStream<TOut> Aggregate<TAcc, TOut>(IAggregateFunction<T, TAcc, TOut> aggregate, string name = "Aggregate")
    {
        ArgumentNullException.ThrowIfNull(aggregate);
        var keySelector = KeySelector;
        return Keyed<TOut>(name, n => new KeyedAggregateOperator<T, TKey, TAcc, TOut>(n, keySelector, aggregate));
    }

    /// <summary>Runs <paramref name="function"/> on every element of each key, with keyed state and timers (Flink's process).</summary>
    public DataStream<TOut> Process<TOut>(KeyedProcessFunction<TKey, T, TOut> function, string name = "KeyedProcess")
    {
        ArgumentNullException.ThrowIfNull(function);
        var keySelector = KeySelector;
        return Keyed<TOut>(name, n => new KeyedProcessOperator<TKey, T, TOut>(n, keySelector, function));
    }

    /// <summary>Connects this keyed stream with a broadcast stream, for a keyed broadcast process function.</summary>
    public new KeyedBroadcastConnectedStream<T, TKey, TBroadcast> Connect<TBroadcast>(BroadcastStream<TBroadcast> broadcast)
    {
        ArgumentNullException.ThrowIfNull(broadcast);
        RequireSameJob(broadcast.Stream, nameof(broadcast));
        return new KeyedBroadcastConnectedStream<T, TKey, TBroadcast>(this, broadcast);
    }

    /// <summary>Joins this keyed stream with <paramref name="other"/> on time intervals around each element (Flink's intervalJoin).</summary>
    public IntervalJoin<T, TRight, TKey> IntervalJoin<TRight>(KeyedStream<TRight, TKey> other)
    {
        ArgumentNullException.ThrowIfNull(other);
        RequireSameJob(other, nameof(other));
        return new IntervalJoin<T, TRight, TKey>(this, other);
    }

    public WindowedStream<T, TKey> Window(WindowAssigner assigner)
        => new(this, assigner ?? throw new ArgumentNullException(nameof(assigner)));

    internal DataStream<TOut> Keyed<TOut>(string name, Func<string, OneInputOperator<T, TOut>> factory)
        => new(Builder, Builder.Add(id => new KeyedOneInputTransformation<T, TOut>(id, name, Transformation, factory)));
}
