using OrleansStream.Functions;

namespace OrleansStream.Operators;

/// <summary>Maps each of two inputs with its own function; results keep their input's timestamp.</summary>
public sealed class CoMapOperator<TIn1, TIn2, TOut>(string name, Func<TIn1, TOut> map1, Func<TIn2, TOut> map2)
    : TwoInputOperator<TIn1, TIn2, TOut>(name)
{
    public override void ProcessElement1(TIn1 value, long timestamp) => Output.Collect(map1(value), timestamp);

    public override void ProcessElement2(TIn2 value, long timestamp) => Output.Collect(map2(value), timestamp);
}

/// <summary>Flat-maps each of two inputs with its own function; results keep their input's timestamp.</summary>
public sealed class CoFlatMapOperator<TIn1, TIn2, TOut>(string name, Action<TIn1, ICollector<TOut>> flatMap1, Action<TIn2, ICollector<TOut>> flatMap2)
    : TwoInputOperator<TIn1, TIn2, TOut>(name), ICollector<TOut>
{
    private long _timestamp;

    public override void ProcessElement1(TIn1 value, long timestamp)
    {
        _timestamp = timestamp;
        flatMap1(value, this);
    }

    public override void ProcessElement2(TIn2 value, long timestamp)
    {
        _timestamp = timestamp;
        flatMap2(value, this);
    }

    void ICollector<TOut>.Collect(TOut value) => Output.Collect(value, _timestamp);
}
