using OrleansStream.Functions;

namespace OrleansStream.Operators;

/// <summary>
/// A rolling aggregate per key (Flink's keyed reduce/aggregate): each element updates its key's
/// accumulator and the current result is emitted.
/// </summary>
public sealed class KeyedAggregateOperator<TIn, TKey, TAcc, TOut>(
    string name,
    Func<TIn, TKey> keySelector,
    IAggregateFunction<TIn, TAcc, TOut> aggregate) : OneInputOperator<TIn, TOut>(name)
    where TKey : notnull
{
    private readonly Dictionary<TKey, TAcc> _state = new();

    public int KeyCount => _state.Count;

    public override void ProcessElement(TIn value, long timestamp)
    {
        var key = keySelector(value);
        var accumulator = _state.TryGetValue(key, out var existing) ? existing : aggregate.CreateAccumulator();
        accumulator = aggregate.Add(value, accumulator);
        _state[key] = accumulator;
        Output.Collect(aggregate.GetResult(accumulator), timestamp);
    }
}
