namespace OrleansStream.Functions;

/// <summary>Builds <see cref="IAggregateFunction{TIn,TAcc,TOut}"/> instances from lambdas, and the built-in aggregates.</summary>
public static class AggregateFunction
{
    public static IAggregateFunction<TIn, TAcc, TOut> Create<TIn, TAcc, TOut>(
        Func<TAcc> createAccumulator,
        Func<TIn, TAcc, TAcc> add,
        Func<TAcc, TAcc, TAcc> merge,
        Func<TAcc, TOut> getResult)
        => new LambdaAggregate<TIn, TAcc, TOut>(createAccumulator, add, merge, getResult);

    public static IAggregateFunction<TIn, long, long> Count<TIn>() => CountAggregate<TIn>.Instance;

    public static IAggregateFunction<TIn, long, long> Sum<TIn>(Func<TIn, long> selector)
        => Create<TIn, long, long>(() => 0, (v, acc) => acc + selector(v), (a, b) => a + b, acc => acc);

    public static IAggregateFunction<TIn, double, double> Sum<TIn>(Func<TIn, double> selector)
        => Create<TIn, double, double>(() => 0, (v, acc) => acc + selector(v), (a, b) => a + b, acc => acc);

    /// <summary>Reduce as an aggregate; the accumulator remembers whether it has seen an element.</summary>
    public static IAggregateFunction<T, ReduceAccumulator<T>, T> Reduce<T>(Func<T, T, T> reducer)
        => new ReduceAggregate<T>(reducer);

    private sealed class CountAggregate<TIn> : IAggregateFunction<TIn, long, long>
    {
        public static readonly CountAggregate<TIn> Instance = new();

        public long CreateAccumulator() => 0;

        public long Add(TIn value, long accumulator) => accumulator + 1;

        public long Merge(long a, long b) => a + b;

        public long GetResult(long accumulator) => accumulator;
    }

    private sealed class LambdaAggregate<TIn, TAcc, TOut>(
        Func<TAcc> createAccumulator,
        Func<TIn, TAcc, TAcc> add,
        Func<TAcc, TAcc, TAcc> merge,
        Func<TAcc, TOut> getResult) : IAggregateFunction<TIn, TAcc, TOut>
    {
        public TAcc CreateAccumulator() => createAccumulator();

        public TAcc Add(TIn value, TAcc accumulator) => add(value, accumulator);

        public TAcc Merge(TAcc a, TAcc b) => merge(a, b);

        public TOut GetResult(TAcc accumulator) => getResult(accumulator);
    }

    private sealed class ReduceAggregate<T>(Func<T, T, T> reducer) : IAggregateFunction<T, ReduceAccumulator<T>, T>
    {
        public ReduceAccumulator<T> CreateAccumulator() => default;

        public ReduceAccumulator<T> Add(T value, ReduceAccumulator<T> accumulator)
            => new(true, accumulator.HasValue ? reducer(accumulator.Value, value) : value);

        public ReduceAccumulator<T> Merge(ReduceAccumulator<T> a, ReduceAccumulator<T> b)
            => !a.HasValue ? b : !b.HasValue ? a : new(true, reducer(a.Value, b.Value));

        public T GetResult(ReduceAccumulator<T> accumulator) => accumulator.Value;
    }
}

/// <summary>The accumulator of a reduce: the reduced value so far, if any.</summary>
public readonly record struct ReduceAccumulator<T>(bool HasValue, T Value);
