using OrleansStream.Functions;
using OrleansStream.State;
using OrleansStream.Windows;

namespace OrleansStream.Operators;

/// <summary>
/// What a <see cref="WindowOperator{TIn, TKey, TOut}"/> keeps per key and state window and how a firing window
/// becomes output (Flink's window state plus internal window function): an accumulator, or the elements.
/// </summary>
public abstract class WindowContents<TIn, TKey, TOut>
    where TKey : notnull
{
    private protected WindowContents() { }

    /// <summary>Gets the state handles; called once when the operator opens.</summary>
    internal abstract void Open(KeyedStateBackend<TKey> state, RuntimeContext runtime);

    internal abstract void Add(TimeWindow stateWindow, TIn value, long timestamp);

    /// <summary>Emits the window's result through <paramref name="output"/>; nothing when the window holds nothing.</summary>
    internal abstract void Emit(TKey key, TimeWindow stateWindow, WindowFiring<TOut> output);

    /// <summary>Drops the contents of a state window (a purge, or the window's end).</summary>
    internal abstract void Clear(TimeWindow stateWindow);

    /// <summary>Folds the contents of <paramref name="sources"/> into <paramref name="target"/> and drops theirs.</summary>
    internal abstract void Merge(TimeWindow target, IReadOnlyList<TimeWindow> sources);

    /// <summary>The window is removed for good: the window function may drop what it kept for it.</summary>
    internal virtual void OnWindowRemoved(WindowFiring<TOut> context) { }

    internal virtual void Close() { }
}

/// <summary>An incrementally aggregated window: one accumulator per state window (Flink's AggregatingState namespace).</summary>
public sealed class AggregatingWindowContents<TIn, TKey, TAcc, TAgg, TOut>(
    IAggregateFunction<TIn, TAcc, TAgg> aggregate,
    Func<TKey, TimeWindow, TAgg, TOut> resultSelector) : WindowContents<TIn, TKey, TOut>
    where TKey : notnull
{
    private IMapState<TimeWindow, TAcc> _accumulators = null!;

    internal override void Open(KeyedStateBackend<TKey> state, RuntimeContext runtime)
        => _accumulators = state.GetMapState<TimeWindow, TAcc>("window-contents");

    internal override void Add(TimeWindow stateWindow, TIn value, long timestamp)
    {
        var accumulator = _accumulators.TryGetValue(stateWindow, out var existing) ? existing : aggregate.CreateAccumulator();
        _accumulators.Put(stateWindow, aggregate.Add(value, accumulator));
    }

    internal override void Emit(TKey key, TimeWindow stateWindow, WindowFiring<TOut> output)
    {
        if (_accumulators.TryGetValue(stateWindow, out var accumulator))
        {
            output.Collect(resultSelector(key, output.Window, aggregate.GetResult(accumulator)));
        }
    }

    internal override void Clear(TimeWindow stateWindow) => _accumulators.Remove(stateWindow);

    internal override void Merge(TimeWindow target, IReadOnlyList<TimeWindow> sources)
    {
        bool any = false;
        TAcc merged = default!;
        foreach (var source in sources)
        {
            if (_accumulators.TryGetValue(source, out var accumulator))
            {
                _accumulators.Remove(source);
                merged = any ? aggregate.Merge(merged, accumulator) : accumulator;
                any = true;
            }
        }

        if (any)
        {
            _accumulators.Put(target, _accumulators.TryGetValue(target, out var existing) ? aggregate.Merge(existing, merged) : merged);
        }
    }
}

/// <summary>
/// A window that keeps its elements with their timestamps (Flink's EvictingWindowOperator and list-state windows):
/// when it fires, the evictor removes elements before and after the window function sees them, and what is
/// left is kept.
/// </summary>
public sealed class BufferingWindowContents<TIn, TKey, TOut> : WindowContents<TIn, TKey, TOut>
    where TKey : notnull
{
    private readonly Evictor<TIn>? _evictor;
    private readonly ProcessWindowFunction<TIn, TOut, TKey> _function;
    private IMapState<TimeWindow, List<TimestampedValue<TIn>>> _elements = null!;

    public BufferingWindowContents(ProcessWindowFunction<TIn, TOut, TKey> function, Evictor<TIn>? evictor)
    {
        _function = function;
        _evictor = evictor;
    }

    internal override void Open(KeyedStateBackend<TKey> state, RuntimeContext runtime)
    {
        _elements = state.GetMapState<TimeWindow, List<TimestampedValue<TIn>>>("window-elements");
        _function.Open(runtime);
    }

    internal override void Add(TimeWindow stateWindow, TIn value, long timestamp)
    {
        if (!_elements.TryGetValue(stateWindow, out var elements))
        {
            elements = new List<TimestampedValue<TIn>>();
            _elements.Put(stateWindow, elements);
        }

        elements.Add(new TimestampedValue<TIn>(value, timestamp));
    }

    internal override void Emit(TKey key, TimeWindow stateWindow, WindowFiring<TOut> output)
    {
        if (!_elements.TryGetValue(stateWindow, out var elements))
        {
            return;
        }

        var evictorContext = _evictor is null ? null : new EvictorContext(output.CurrentProcessingTime, output.CurrentWatermark);
        _evictor?.EvictBefore(elements, output.Window, evictorContext!);

        // A copy: the function may keep what it was given, and evictAfter must not change it.
        var values = new TIn[elements.Count];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = elements[i].Value;
        }

        _function.Process(key, output, values, output);
        if (_evictor is not null)
        {
            _evictor.EvictAfter(elements, output.Window, evictorContext!);
            if (elements.Count == 0)
            {
                _elements.Remove(stateWindow);
            }
        }
    }

    internal override void Clear(TimeWindow stateWindow) => _elements.Remove(stateWindow);

    internal override void Merge(TimeWindow target, IReadOnlyList<TimeWindow> sources)
    {
        List<TimestampedValue<TIn>>? merged = null;
        foreach (var source in sources)
        {
            if (_elements.TryGetValue(source, out var elements))
            {
                _elements.Remove(source);
                merged ??= new List<TimestampedValue<TIn>>();
                merged.AddRange(elements);
            }
        }

        if (merged is null)
        {
            return;
        }

        if (_elements.TryGetValue(target, out var existing))
        {
            existing.AddRange(merged);
        }
        else
        {
            _elements.Put(target, merged);
        }
    }

    internal override void OnWindowRemoved(WindowFiring<TOut> context) => _function.Clear(context);

    internal override void Close() => _function.Close();
}
