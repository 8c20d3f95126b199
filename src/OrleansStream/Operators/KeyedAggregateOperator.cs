using OrleansStream.Functions;
using OrleansStream.State;

namespace OrleansStream.Operators;

/// <summary>
/// A rolling aggregate per key (Flink's keyed reduce/aggregate): each element updates its key's
/// accumulator, held in keyed state, and the current result is emitted.
/// </summary>
public sealed class KeyedAggregateOperator<TIn, TKey, TAcc, TOut>(
    string name,
    Func<TIn, TKey> keySelector,
    IAggregateFunction<TIn, TAcc, TOut> aggregate) : OneInputOperator<TIn, TOut>(name)
    where TKey : notnull
{
    private KeyedStateBackend<TKey> _keyedState = null!;
    private IValueState<TAcc> _accumulators = null!;

    public override void Open(OperatorContext context)
    {
        base.Open(context);
        _keyedState = context.State.GetKeyedStateBackend<TKey>();
        _accumulators = _keyedState.GetValueState<TAcc>("accumulator");
    }

    public override void ProcessElement(TIn value, long timestamp)
    {
        _keyedState.SetCurrentKey(keySelector(value));
        var accumulator = _accumulators.TryGetValue(out var existing) ? existing : aggregate.CreateAccumulator();
        accumulator = aggregate.Add(value, accumulator);
        _accumulators.Update(accumulator);
        Output.Collect(aggregate.GetResult(accumulator), timestamp);
    }
}
