using OrleansStream.Functions;

namespace OrleansStream.Operators;

public sealed class MapOperator<TIn, TOut>(string name, Func<TIn, TOut> map) : OneInputOperator<TIn, TOut>(name)
{
    public override void ProcessElement(TIn value, long timestamp) => Output.Collect(map(value), timestamp);
}

public sealed class FilterOperator<T>(string name, Func<T, bool> predicate) : OneInputOperator<T, T>(name)
{
    public override void ProcessElement(T value, long timestamp)
    {
        if (predicate(value))
        {
            Output.Collect(value, timestamp);
        }
    }
}

/// <summary>Flat map through a collector: the emitted records keep the input's timestamp.</summary>
public sealed class FlatMapOperator<TIn, TOut>(string name, Action<TIn, ICollector<TOut>> flatMap)
    : OneInputOperator<TIn, TOut>(name), ICollector<TOut>
{
    private long _timestamp;

    public override void ProcessElement(TIn value, long timestamp)
    {
        _timestamp = timestamp;
        flatMap(value, this);
    }

    void ICollector<TOut>.Collect(TOut value) => Output.Collect(value, _timestamp);
}
