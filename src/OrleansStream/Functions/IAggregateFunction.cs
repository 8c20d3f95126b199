namespace OrleansStream.Functions;

/// <summary>
/// An incremental aggregation: an accumulator is created per key (and window), elements are added to
/// it, accumulators can be merged, and the result is read at the end.
/// </summary>
public interface IAggregateFunction<in TIn, TAcc, out TOut>
{
    TAcc CreateAccumulator();

    TAcc Add(TIn value, TAcc accumulator);

    TAcc Merge(TAcc a, TAcc b);

    TOut GetResult(TAcc accumulator);
}
