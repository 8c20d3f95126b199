using OrleansStream.Functions;
using OrleansStream.Operators;
using OrleansStream.Windows;

namespace OrleansStream.Api;

/// <summary>A keyed stream cut into windows; an aggregation turns each (key, window) into one result.</summary>
public sealed class WindowedStream<T, TKey> where TKey : notnull
{
    private readonly KeyedStream<T, TKey> _input;
    private readonly WindowAssigner _assigner;

    internal WindowedStream(KeyedStream<T, TKey> input, WindowAssigner assigner)
    {
        _input = input;
        _assigner = assigner;
    }

    public DataStream<WindowResult<TKey, long>> Count(string? name = null)
        => Aggregate(AggregateFunction.Count<T>(), name ?? $"Window({_assigner}, Count)");

    public DataStream<WindowResult<TKey, long>> Sum(Func<T, long> selector, string? name = null)
        => Aggregate(AggregateFunction.Sum(selector), name ?? $"Window({_assigner}, Sum)");

    public DataStream<WindowResult<TKey, double>> Sum(Func<T, double> selector, string? name = null)
        => Aggregate(AggregateFunction.Sum(selector), name ?? $"Window({_assigner}, Sum)");

    public DataStream<WindowResult<TKey, T>> Reduce(Func<T, T, T> reducer, string? name = null)
        => Aggregate(AggregateFunction.Reduce(reducer), name ?? $"Window({_assigner}, Reduce)");

    public DataStream<WindowResult<TKey, TOut>> Aggregate<TAcc, TOut>(IAggregateFunction<T, TAcc, TOut> aggregate, string? name = null)
        => Aggregate(aggregate, (key, window, result) => new WindowResult<TKey, TOut>(key, window, result), name);

    /// <summary>Aggregates each window and shapes the output from the key, the window and the result.</summary>
    public DataStream<TOut> Aggregate<TAcc, TResult, TOut>(
        IAggregateFunction<T, TAcc, TResult> aggregate,
        Func<TKey, TimeWindow, TResult, TOut> resultSelector,
        string? name = null)
    {
        ArgumentNullException.ThrowIfNull(aggregate);
        ArgumentNullException.ThrowIfNull(resultSelector);
        var assigner = _assigner;
        var keySelector = _input.KeySelector;
        name ??= $"Window({assigner}, Aggregate)";
        return assigner.IsEventTime
            ? _input.Keyed<TOut>(name, n => new EventTimeWindowOperator<T, TKey, TAcc, TResult, TOut>(n, assigner, keySelector, aggregate, resultSelector))
            : _input.Keyed<TOut>(name, n => new ProcessingTimeWindowOperator<T, TKey, TAcc, TResult, TOut>(n, assigner, keySelector, aggregate, resultSelector));
    }
}
