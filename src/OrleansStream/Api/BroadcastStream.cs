using OrleansStream.Functions;
using OrleansStream.Graph;
using OrleansStream.Operators;
using OrleansStream.State;

namespace OrleansStream.Api;

/// <summary>
/// A stream sent whole to every subtask of the operator it is connected to, with the broadcast states that
/// operator keeps (Flink's BroadcastStream): connect a stream or a keyed stream to it and process both.
/// </summary>
public sealed class BroadcastStream<T>
{
    internal BroadcastStream(DataStream<T> partitioned, IReadOnlyList<IBroadcastStateDescriptor> descriptors)
    {
        Stream = partitioned;
        Descriptors = descriptors;
    }

    internal DataStream<T> Stream { get; }

    public IReadOnlyList<IBroadcastStateDescriptor> Descriptors { get; }
}

/// <summary>A non-keyed stream connected with a broadcast stream.</summary>
public sealed class BroadcastConnectedStream<TIn, TBroadcast>
{
    private readonly DataStream<TIn> _input;
    private readonly BroadcastStream<TBroadcast> _broadcast;

    internal BroadcastConnectedStream(DataStream<TIn> input, BroadcastStream<TBroadcast> broadcast)
    {
        _input = input;
        _broadcast = broadcast;
    }

    public DataStream<TOut> Process<TOut>(BroadcastProcessFunction<TIn, TBroadcast, TOut> function, string name = "BroadcastProcess")
    {
        ArgumentNullException.ThrowIfNull(function);
        var descriptors = _broadcast.Descriptors;
        var transformation = _input.Builder.Add(id => new TwoInputTransformation<TIn, TBroadcast, TOut>(
            id, name, _input.Transformation, _broadcast.Stream.Transformation, n => new BroadcastProcessOperator<TIn, TBroadcast, TOut>(n, function, descriptors))
        {
            OperatorStateDistribution = OperatorStateDistribution.Union,
        });
        return new DataStream<TOut>(_input.Builder, transformation);
    }
}

/// <summary>A keyed stream connected with a broadcast stream.</summary>
public sealed class KeyedBroadcastConnectedStream<TIn, TKey, TBroadcast>
    where TKey : notnull
{
    private readonly KeyedStream<TIn, TKey> _input;
    private readonly BroadcastStream<TBroadcast> _broadcast;

    internal KeyedBroadcastConnectedStream(KeyedStream<TIn, TKey> input, BroadcastStream<TBroadcast> broadcast)
    {
        _input = input;
        _broadcast = broadcast;
    }

    public DataStream<TOut> Process<TOut>(KeyedBroadcastProcessFunction<TKey, TIn, TBroadcast, TOut> function, string name = "KeyedBroadcastProcess")
    {
        ArgumentNullException.ThrowIfNull(function);
        var descriptors = _broadcast.Descriptors;
        var keySelector = _input.KeySelector;
        var transformation = _input.Builder.Add(id => new KeyedTwoInputTransformation<TIn, TBroadcast, TOut>(
            id, name, _input.Transformation, _broadcast.Stream.Transformation,
            n => new KeyedBroadcastProcessOperator<TKey, TIn, TBroadcast, TOut>(n, keySelector, function, descriptors),
            secondInputKeyed: false)
        {
            OperatorStateDistribution = OperatorStateDistribution.Union,
        });
        return new DataStream<TOut>(_input.Builder, transformation);
    }
}
