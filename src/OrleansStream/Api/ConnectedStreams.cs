using OrleansStream.Functions;
using OrleansStream.Graph;
using OrleansStream.Operators;

namespace OrleansStream.Api;

/// <summary>Two streams, possibly of different types, read by one two-input operator (Flink's ConnectedStreams).</summary>
public sealed class ConnectedStreams<T1, T2>
{
    internal ConnectedStreams(DataStream<T1> first, DataStream<T2> second)
    {
        First = first;
        Second = second;
    }

    public DataStream<T1> First { get; }

    public DataStream<T2> Second { get; }

    /// <summary>Keys both streams so that equal keys of either meet in the same subtask, with shared keyed state and timers.</summary>
    public KeyedConnectedStreams<T1, T2, TKey> KeyBy<TKey>(Func<T1, TKey> keySelector1, Func<T2, TKey> keySelector2)
        where TKey : notnull
    {
        ArgumentNullException.ThrowIfNull(keySelector1);
        ArgumentNullException.ThrowIfNull(keySelector2);
        return new KeyedConnectedStreams<T1, T2, TKey>(First.KeyBy(keySelector1), Second.KeyBy(keySelector2));
    }

    /// <summary>Maps each input with its own function into one stream (Flink's CoMapFunction).</summary>
    public DataStream<TOut> Map<TOut>(Func<T1, TOut> map1, Func<T2, TOut> map2, string name = "CoMap")
    {
        ArgumentNullException.ThrowIfNull(map1);
        ArgumentNullException.ThrowIfNull(map2);
        return Then<TOut>(name, n => new CoMapOperator<T1, T2, TOut>(n, map1, map2));
    }

    /// <summary>Flat-maps each input with its own function into one stream (Flink's CoFlatMapFunction).</summary>
    public DataStream<TOut> FlatMap<TOut>(Action<T1, ICollector<TOut>> flatMap1, Action<T2, ICollector<TOut>> flatMap2, string name = "CoFlatMap")
    {
        ArgumentNullException.ThrowIfNull(flatMap1);
        ArgumentNullException.ThrowIfNull(flatMap2);
        return Then<TOut>(name, n => new CoFlatMapOperator<T1, T2, TOut>(n, flatMap1, flatMap2));
    }

    private DataStream<TOut> Then<TOut>(string name, Func<string, TwoInputOperator<T1, T2, TOut>> factory)
        => new(First.Builder, First.Builder.Add(id => new TwoInputTransformation<T1, T2, TOut>(id, name, First.Transformation, Second.Transformation, factory)));
}

/// <summary>Two streams keyed the same way (Flink's ConnectedStreams after keyBy).</summary>
public sealed class KeyedConnectedStreams<T1, T2, TKey>
    where TKey : notnull
{
    internal KeyedConnectedStreams(KeyedStream<T1, TKey> first, KeyedStream<T2, TKey> second)
    {
        First = first;
        Second = second;
    }

    public KeyedStream<T1, TKey> First { get; }

    public KeyedStream<T2, TKey> Second { get; }

    /// <summary>Runs <paramref name="function"/> over both inputs with the key's shared state and timers (Flink's process with a KeyedCoProcessFunction).</summary>
    public DataStream<TOut> Process<TOut>(KeyedCoProcessFunction<TKey, T1, T2, TOut> function, string name = "KeyedCoProcess")
    {
        ArgumentNullException.ThrowIfNull(function);
        var (key1, key2) = (First.KeySelector, Second.KeySelector);
        return Keyed<TOut>(name, n => new KeyedCoProcessOperator<TKey, T1, T2, TOut>(n, key1, key2, function));
    }

    internal DataStream<TOut> Keyed<TOut>(string name, Func<string, TwoInputOperator<T1, T2, TOut>> factory)
        => new(First.Builder, First.Builder.Add(id => new KeyedTwoInputTransformation<T1, T2, TOut>(id, name, First.Transformation, Second.Transformation, factory)));
}
