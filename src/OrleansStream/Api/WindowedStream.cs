using OrleansStream.Functions;
using OrleansStream.Operators;
using OrleansStream.Windows;

namespace OrleansStream.Api;

/// <summary>
/// A keyed stream cut into windows; an aggregation turns each (key, window) into one result. The
/// <c>AllowedLateness</c> and <c>SideOutputLateData</c> settings return a new windowed stream.
/// </summary>
public sealed class WindowedStream<T, TKey> where TKey : notnull
{
    private readonly KeyedStream<T, TKey> _input;
    private readonly WindowAssigner _assigner;
    private readonly TimeSpan _allowedLateness;
    private readonly OutputTag<T>? _lateDataTag;

    internal WindowedStream(KeyedStream<T, TKey> input, WindowAssigner assigner, TimeSpan allowedLateness = default, OutputTag<T>? lateDataTag = null)
    {
        _input = input;
        _assigner = assigner;
        _allowedLateness = allowedLateness;
        _lateDataTag = lateDataTag;
    }

    /// <summary>
    /// Keeps each window's state until the watermark passes its end plus <paramref name="lateness"/> (Flink's
    /// allowedLateness). An element that arrives after the window fired but within the lateness updates the
    /// window, which fires again at once with the updated result; only elements later than that are late.
    /// Zero (the default) drops a window's state as it fires.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The lateness is negative.</exception>
    /// <exception cref="InvalidOperationException">The windows are not event-time windows.</exception>
    public WindowedStream<T, TKey> AllowedLateness(TimeSpan lateness)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(lateness, TimeSpan.Zero);
        if (lateness > TimeSpan.Zero)
        {
            RequireEventTime("AllowedLateness");
        }

        return new(_input, _assigner, lateness, _lateDataTag);
    }

    /// <summary>
    /// Sends elements that are late for every window they belong to (behind the watermark by more than the
    /// allowed lateness) to <paramref name="tag"/> instead of dropping them (Flink's sideOutputLateData); read
    /// them with <see cref="DataStream{T}.GetSideOutput{TSide}"/> on the aggregated stream.
    /// </summary>
    /// <exception cref="InvalidOperationException">The windows are not event-time windows (they have no late data).</exception>
    public WindowedStream<T, TKey> SideOutputLateData(OutputTag<T> tag)
    {
        ArgumentNullException.ThrowIfNull(tag);
        RequireEventTime("SideOutputLateData");
        return new(_input, _assigner, _allowedLateness, tag);
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
        var lateness = _allowedLateness;
        var lateDataTag = _lateDataTag;
        name ??= $"Window({assigner}, Aggregate)";
        return assigner.IsEventTime
            ? _input.Keyed<TOut>(name, n => new EventTimeWindowOperator<T, TKey, TAcc, TResult, TOut>(n, assigner, keySelector, aggregate, resultSelector, lateness, lateDataTag))
            : _input.Keyed<TOut>(name, n => new ProcessingTimeWindowOperator<T, TKey, TAcc, TResult, TOut>(n, assigner, keySelector, aggregate, resultSelector));
    }

    private void RequireEventTime(string setting)
    {
        if (!_assigner.IsEventTime)
        {
            throw new InvalidOperationException($"{setting} applies to event-time windows only, but the windows are {_assigner}: processing-time windows have no late data.");
        }
    }
}
