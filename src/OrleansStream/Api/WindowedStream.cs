using OrleansStream.Functions;
using OrleansStream.Operators;
using OrleansStream.Windows;

namespace OrleansStream.Api;

/// <summary>
/// A keyed stream cut into windows (Flink's WindowedStream): a window function turns each (key, window) into
/// results whenever the window's trigger fires. The settings (<c>Trigger</c>, <c>Evictor</c>,
/// <c>AllowedLateness</c>, <c>SideOutputLateData</c>) return a new windowed stream.
/// </summary>
/// <remarks>
/// Tumbling and sliding event-time windows with the default trigger, no evictor and an aggregate run on a
/// dedicated operator (<see cref="EventTimeWindowOperator{TIn, TKey, TAcc, TAgg, TOut}"/>), tumbling processing-time
/// ones likewise; every other combination runs on the general <see cref="WindowOperator{TIn, TKey, TOut}"/>.
/// </remarks>
public sealed class WindowedStream<T, TKey> where TKey : notnull
{
    private readonly KeyedStream<T, TKey> _input;
    private readonly WindowSettings<T> _settings;

    internal WindowedStream(KeyedStream<T, TKey> input, WindowAssigner assigner)
        : this(input, new WindowSettings<T>(assigner))
    {
    }

    internal WindowedStream(KeyedStream<T, TKey> input, WindowSettings<T> settings)
    {
        _input = input;
        _settings = settings;
    }

    internal WindowSettings<T> Settings => _settings;

    internal KeyedStream<T, TKey> Input => _input;

    /// <summary>
    /// Keeps each window's state until the watermark passes its end plus <paramref name="lateness"/> (Flink's
    /// allowedLateness). An element that arrives after the window fired but within the lateness updates the
    /// window, which fires again at once with the updated result (with the default trigger); only elements
    /// later than that are late. Zero (the default) drops a window's state as it fires.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The lateness is negative.</exception>
    /// <exception cref="InvalidOperationException">The windows are not event-time windows.</exception>
    public WindowedStream<T, TKey> AllowedLateness(TimeSpan lateness) => new(_input, _settings.WithAllowedLateness(lateness));

    /// <summary>
    /// Sends elements that are late for every window they belong to (behind the watermark by more than the
    /// allowed lateness) to <paramref name="tag"/> instead of dropping them (Flink's sideOutputLateData); read
    /// them with <see cref="DataStream{T}.GetSideOutput{TSide}"/> on the windowed result.
    /// </summary>
    /// <exception cref="InvalidOperationException">The windows are not event-time windows (they have no late data).</exception>
    public WindowedStream<T, TKey> SideOutputLateData(OutputTag<T> tag) => new(_input, _settings.WithLateDataTag(tag));

    /// <summary>Fires the windows with <paramref name="trigger"/> instead of the assigner's default trigger (Flink's trigger).</summary>
    /// <exception cref="InvalidOperationException">The assigner merges windows and the trigger cannot merge.</exception>
    public WindowedStream<T, TKey> Trigger(Trigger trigger) => Trigger((trigger ?? throw new ArgumentNullException(nameof(trigger))).For<T>());

    /// <summary>Fires the windows with a trigger that looks at the elements.</summary>
    public WindowedStream<T, TKey> Trigger(Trigger<T> trigger) => new(_input, _settings.WithTrigger(trigger));

    /// <summary>
    /// Removes elements from a window when it fires, before or after the window function (Flink's evictor). The
    /// window then keeps its elements instead of an accumulator, and an aggregate runs over what is left.
    /// </summary>
    /// <exception cref="InvalidOperationException">The assigner merges windows (as in Flink, sessions take no evictor).</exception>
    public WindowedStream<T, TKey> Evictor(Evictor evictor) => Evictor((evictor ?? throw new ArgumentNullException(nameof(evictor))).For<T>());

    /// <summary>Removes elements from a window when it fires, with an evictor that looks at the elements.</summary>
    public WindowedStream<T, TKey> Evictor(Evictor<T> evictor) => new(_input, _settings.WithEvictor(evictor));

    public DataStream<WindowResult<TKey, long>> Count(string? name = null)
        => Aggregate(AggregateFunction.Count<T>(), name ?? $"Window({_settings.Assigner}, Count)");

    public DataStream<WindowResult<TKey, long>> Sum(Func<T, long> selector, string? name = null)
        => Aggregate(AggregateFunction.Sum(selector), name ?? $"Window({_settings.Assigner}, Sum)");

    public DataStream<WindowResult<TKey, double>> Sum(Func<T, double> selector, string? name = null)
        => Aggregate(AggregateFunction.Sum(selector), name ?? $"Window({_settings.Assigner}, Sum)");

    public DataStream<WindowResult<TKey, T>> Reduce(Func<T, T, T> reducer, string? name = null)
        => Aggregate(AggregateFunction.Reduce(reducer), name ?? $"Window({_settings.Assigner}, Reduce)");

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
        return Add(name ?? $"Window({_settings.Assigner}, Aggregate)", AggregateOperator(aggregate, resultSelector));
    }

    /// <summary>Runs <paramref name="function"/> over all elements of each window when it fires (Flink's process).</summary>
    public DataStream<TOut> Process<TOut>(ProcessWindowFunction<T, TOut, TKey> function, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(function);
        return Add(name ?? $"Window({_settings.Assigner}, Process)", ProcessOperator(function));
    }

    /// <summary>Runs <paramref name="function"/> over the key, the window and all its elements when it fires (Flink's apply with a WindowFunction).</summary>
    public DataStream<TOut> Apply<TOut>(Action<TKey, TimeWindow, IEnumerable<T>, ICollector<TOut>> function, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(function);
        return Process(new WindowFunctionAdapter<T, TOut, TKey>(function), name ?? $"Window({_settings.Assigner}, Apply)");
    }

    /// <summary>The operator factory of an aggregate: the fast aligned operators where they apply, else the general one.</summary>
    internal Func<string, OneInputOperator<T, TOut>> AggregateOperator<TAcc, TResult, TOut>(
        IAggregateFunction<T, TAcc, TResult> aggregate, Func<TKey, TimeWindow, TResult, TOut> resultSelector)
    {
        var settings = _settings;
        var keySelector = _input.KeySelector;
        if (settings.Trigger is null && settings.Evictor is null && settings.Assigner is AlignedWindowAssigner aligned)
        {
            if (aligned.IsEventTime)
            {
                return n => new EventTimeWindowOperator<T, TKey, TAcc, TResult, TOut>(n, aligned, keySelector, aggregate, resultSelector, settings.AllowedLateness, settings.LateDataTag);
            }

            if (aligned.IsTumbling)
            {
                return n => new ProcessingTimeWindowOperator<T, TKey, TAcc, TResult, TOut>(n, aligned, keySelector, aggregate, resultSelector);
            }
        }

        if (settings.Evictor is not null)
        {
            return ProcessOperator(new AggregatingProcessWindowFunction<T, TAcc, TResult, TOut, TKey>(aggregate, resultSelector));
        }

        return n => settings.CreateOperator(n, keySelector, new AggregatingWindowContents<T, TKey, TAcc, TResult, TOut>(aggregate, resultSelector));
    }

    /// <summary>The operator factory of a process window function: the general operator, keeping elements.</summary>
    internal Func<string, OneInputOperator<T, TOut>> ProcessOperator<TOut>(ProcessWindowFunction<T, TOut, TKey> function)
    {
        var settings = _settings;
        var keySelector = _input.KeySelector;
        return n => settings.CreateOperator(n, keySelector, new BufferingWindowContents<T, TKey, TOut>(function, settings.Evictor));
    }

    private DataStream<TOut> Add<TOut>(string name, Func<string, OneInputOperator<T, TOut>> factory) => _input.Keyed(name, factory);
}
