using OrleansStream.Functions;
using OrleansStream.Windows;

namespace OrleansStream.Api;

/// <summary>A window function given as a delegate (Flink's WindowFunction) as a process window function.</summary>
internal sealed class WindowFunctionAdapter<T, TOut, TKey>(Action<TKey, TimeWindow, IEnumerable<T>, ICollector<TOut>> function)
    : ProcessWindowFunction<T, TOut, TKey>
{
    public override void Process(TKey key, ProcessWindowContext context, IEnumerable<T> elements, ICollector<TOut> output)
        => function(key, context.Window, elements, output);
}

/// <summary>An aggregate computed over a window's elements when it fires, as windows with an evictor need (Flink's InternalAggregateProcessWindowFunction).</summary>
internal sealed class AggregatingProcessWindowFunction<T, TAcc, TResult, TOut, TKey>(
    IAggregateFunction<T, TAcc, TResult> aggregate, Func<TKey, TimeWindow, TResult, TOut> resultSelector)
    : ProcessWindowFunction<T, TOut, TKey>
{
    public override void Process(TKey key, ProcessWindowContext context, IEnumerable<T> elements, ICollector<TOut> output)
    {
        var accumulator = aggregate.CreateAccumulator();
        foreach (var element in elements)
        {
            accumulator = aggregate.Add(element, accumulator);
        }

        output.Collect(resultSelector(key, context.Window, aggregate.GetResult(accumulator)));
    }
}

/// <summary>A process function of a non-keyed window as one of a window keyed by a constant.</summary>
internal sealed class AllWindowFunctionAdapter<T, TOut>(ProcessAllWindowFunction<T, TOut> function) : ProcessWindowFunction<T, TOut, int>
{
    public override void Open(RuntimeContext context) => function.Open(context);

    public override void Process(int key, ProcessWindowContext context, IEnumerable<T> elements, ICollector<TOut> output)
        => function.Process(context, elements, output);

    public override void Clear(ProcessWindowContext context) => function.Clear(context);

    public override void Close() => function.Close();
}
