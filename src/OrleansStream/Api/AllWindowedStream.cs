using OrleansStream.Functions;
using OrleansStream.Graph;
using OrleansStream.Operators;
using OrleansStream.Windows;

namespace OrleansStream.Api;

/// <summary>
/// A stream cut into windows without a key (Flink's AllWindowedStream, from <c>WindowAll</c>): every element
/// meets in one window operator of parallelism one. It is a keyed window over a constant key, so it has every
/// feature of keyed windows (triggers, evictors, lateness, late data) and its state is checkpointed the same way.
/// </summary>
public sealed class AllWindowedStream<T>
{
    private const int TheKey = 0;
    private readonly WindowedStream<T, int> _windows;

    internal AllWindowedStream(DataStream<T> input, WindowAssigner assigner)
    {
        ArgumentNullException.ThrowIfNull(assigner);
        _windows = input.KeyBy(static _ => TheKey).Window(assigner);
    }

    private AllWindowedStream(WindowedStream<T, int> windows) => _windows = windows;

    /// <inheritdoc cref="WindowedStream{T, TKey}.AllowedLateness"/>
    public AllWindowedStream<T> AllowedLateness(TimeSpan lateness) => new(_windows.AllowedLateness(lateness));

    /// <inheritdoc cref="WindowedStream{T, TKey}.SideOutputLateData"/>
    public AllWindowedStream<T> SideOutputLateData(OutputTag<T> tag) => new(_windows.SideOutputLateData(tag));

    /// <inheritdoc cref="WindowedStream{T, TKey}.Trigger(Windows.Trigger)"/>
    public AllWindowedStream<T> Trigger(Trigger trigger) => new(_windows.Trigger(trigger));

    public AllWindowedStream<T> Trigger(Trigger<T> trigger) => new(_windows.Trigger(trigger));

    /// <inheritdoc cref="WindowedStream{T, TKey}.Evictor(Windows.Evictor)"/>
    public AllWindowedStream<T> Evictor(Evictor evictor) => new(_windows.Evictor(evictor));

    public AllWindowedStream<T> Evictor(Evictor<T> evictor) => new(_windows.Evictor(evictor));

    /// <summary>The reduced value of each window.</summary>
    public DataStream<T> Reduce(Func<T, T, T> reducer, string? name = null)
        => Aggregate(AggregateFunction.Reduce(reducer), name ?? $"WindowAll({_windows.Settings.Assigner}, Reduce)");

    public DataStream<long> Sum(Func<T, long> selector, string? name = null)
        => Aggregate(AggregateFunction.Sum(selector), name ?? $"WindowAll({_windows.Settings.Assigner}, Sum)");

    /// <summary>The result of <paramref name="aggregate"/> over each window.</summary>
    public DataStream<TResult> Aggregate<TAcc, TResult>(IAggregateFunction<T, TAcc, TResult> aggregate, string? name = null)
        => Aggregate(aggregate, static (_, result) => result, name);

    /// <summary>Aggregates each window and shapes the output from the window and the result.</summary>
    public DataStream<TOut> Aggregate<TAcc, TResult, TOut>(IAggregateFunction<T, TAcc, TResult> aggregate, Func<TimeWindow, TResult, TOut> resultSelector, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(aggregate);
        ArgumentNullException.ThrowIfNull(resultSelector);
        var factory = _windows.AggregateOperator<TAcc, TResult, TOut>(aggregate, (_, window, result) => resultSelector(window, result));
        return Add(name ?? $"WindowAll({_windows.Settings.Assigner}, Aggregate)", factory);
    }

    /// <summary>Runs <paramref name="function"/> over all elements of each window when it fires (Flink's process on an AllWindowedStream).</summary>
    public DataStream<TOut> Process<TOut>(ProcessAllWindowFunction<T, TOut> function, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(function);
        var factory = _windows.ProcessOperator(new AllWindowFunctionAdapter<T, TOut>(function));
        return Add(name ?? $"WindowAll({_windows.Settings.Assigner}, Process)", factory);
    }

    /// <summary>Runs <paramref name="function"/> over the window and all its elements when it fires (Flink's apply with an AllWindowFunction).</summary>
    public DataStream<TOut> Apply<TOut>(Action<TimeWindow, IEnumerable<T>, ICollector<TOut>> function, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(function);
        var factory = _windows.ProcessOperator(new WindowFunctionAdapter<T, TOut, int>((_, window, elements, output) => function(window, elements, output)));
        return Add(name ?? $"WindowAll({_windows.Settings.Assigner}, Apply)", factory);
    }

    private DataStream<TOut> Add<TOut>(string name, Func<string, OneInputOperator<T, TOut>> factory)
    {
        var input = _windows.Input;
        return new DataStream<TOut>(input.Builder, input.Builder.Add(id => new NonParallelKeyedTransformation<T, TOut>(id, name, input.Transformation, factory)));
    }
}

/// <summary>Non-keyed windows on any stream.</summary>
public static class AllWindowExtensions
{
    /// <summary>
    /// Cuts the whole stream into windows, without a key (Flink's windowAll): one subtask sees every element,
    /// so this does not scale out; key the stream first where the computation allows.
    /// </summary>
    public static AllWindowedStream<T> WindowAll<T>(this DataStream<T> stream, WindowAssigner assigner)
    {
        ArgumentNullException.ThrowIfNull(stream);
        return new AllWindowedStream<T>(stream, assigner);
    }
}
