using OrleansStream.Functions;
using OrleansStream.State;
using OrleansStream.Windows;

namespace OrleansStream.Operators;

/// <summary>
/// What the fast keyed operators of aligned (tumbling and sliding) windows with the default trigger share:
/// accumulators per key and window end, held in keyed state (<see cref="WindowStateTable{TKey, TAcc}"/>), and
/// the emission of fired windows in order. Subclasses decide which windows an element joins and when windows
/// fire. Every other window (sessions, global windows, custom triggers, evictors) runs on
/// <see cref="WindowOperator{TIn, TKey, TOut}"/>.
/// </summary>
public abstract class AlignedWindowOperator<TIn, TKey, TAcc, TAgg, TOut> : OneInputOperator<TIn, TOut>
    where TKey : notnull
{
    private readonly IAggregateFunction<TIn, TAcc, TAgg> _aggregate;
    private readonly Func<TKey, TimeWindow, TAgg, TOut> _resultSelector;
    private long _recordsOut;

    private protected AlignedWindowOperator(
        string name,
        AlignedWindowAssigner assigner,
        Func<TIn, TKey> keySelector,
        IAggregateFunction<TIn, TAcc, TAgg> aggregate,
        Func<TKey, TimeWindow, TAgg, TOut> resultSelector) : base(name)
    {
        Assigner = assigner;
        KeySelector = keySelector;
        _aggregate = aggregate;
        _resultSelector = resultSelector;
    }

    public override long RecordsOut => _recordsOut;

    /// <summary>Windows that hold state and have not fired yet.</summary>
    public int OpenWindowCount => Windows.WindowCount;

    protected AlignedWindowAssigner Assigner { get; }

    protected Func<TIn, TKey> KeySelector { get; }

    /// <summary>The accumulators of the windows that have not fired yet.</summary>
    private protected WindowStateTable<TKey, TAcc> Windows { get; private set; } = null!;

    public override void Open(OperatorContext context)
    {
        base.Open(context);
        Windows = context.State.GetKeyedStateBackend<TKey>().GetWindowState<TAcc>("windows");
    }

    /// <summary>Adds <paramref name="value"/> to the accumulator of <paramref name="key"/> in the window ending at <paramref name="end"/>.</summary>
    protected void Accumulate(long end, TKey key, TIn value) => Accumulate(Windows, end, key, value);

    /// <summary>Adds <paramref name="value"/> to an accumulator of <paramref name="table"/>, creating it if missing; returns the updated accumulator.</summary>
    private protected TAcc Accumulate(WindowStateTable<TKey, TAcc> table, long end, TKey key, TIn value)
    {
        ref var accumulator = ref table.GetOrAdd(end, key, out bool exists);
        if (!exists)
        {
            accumulator = _aggregate.CreateAccumulator();
        }

        accumulator = _aggregate.Add(value, accumulator!);
        return accumulator;
    }

    /// <summary>Emits the result of <paramref name="key"/>'s window ending at <paramref name="end"/>, stamped with the window's last timestamp.</summary>
    private protected void Emit(long end, TKey key, TAcc accumulator)
    {
        var window = new TimeWindow(end - Assigner.Size, end);
        _recordsOut++;
        Output.Collect(_resultSelector(key, window, _aggregate.GetResult(accumulator)), window.MaxTimestamp);
    }

    /// <summary>
    /// Takes the earliest unfired window if it ends at or before <paramref name="maxEnd"/> and emits every
    /// key's result; the taken accumulators are returned so that the caller may keep them for late elements.
    /// </summary>
    private protected bool TryFireFirst(long maxEnd, out long end, out Dictionary<TKey, TAcc> contents)
    {
        if (!Windows.TryTakeFirst(maxEnd, out end, out contents))
        {
            return false;
        }

        foreach (var (key, accumulator) in contents)
        {
            Emit(end, key, accumulator);
        }

        return true;
    }

    /// <summary>Emits and forgets every window whose end is at most <paramref name="maxEnd"/>, earliest first.</summary>
    protected void FireWindowsEndingBy(long maxEnd)
    {
        while (TryFireFirst(maxEnd, out _, out _))
        {
        }
    }
}
