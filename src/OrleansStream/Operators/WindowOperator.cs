using OrleansStream.Functions;
using OrleansStream.State;
using OrleansStream.Windows;

namespace OrleansStream.Operators;

/// <summary>
/// What keyed time-window operators share: accumulators per key and window end, held in keyed state
/// (<see cref="WindowStateTable{TKey, TAcc}"/>), and the emission of fired windows in order.
/// Subclasses decide which windows an element joins and when windows fire.
/// </summary>
public abstract class WindowOperator<TIn, TKey, TAcc, TAgg, TOut> : OneInputOperator<TIn, TOut>
    where TKey : notnull
{
    private readonly IAggregateFunction<TIn, TAcc, TAgg> _aggregate;
    private readonly Func<TKey, TimeWindow, TAgg, TOut> _resultSelector;
    private WindowStateTable<TKey, TAcc> _windows = null!;
    private long _recordsOut;

    private protected WindowOperator(
        string name,
        WindowAssigner assigner,
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

    public int OpenWindowCount => _windows.WindowCount;

    protected WindowAssigner Assigner { get; }

    protected Func<TIn, TKey> KeySelector { get; }

    public override void Open(OperatorContext context)
    {
        base.Open(context);
        _windows = context.State.GetKeyedStateBackend<TKey>().GetWindowState<TAcc>("windows");
    }

    /// <summary>Adds <paramref name="value"/> to the accumulator of <paramref name="key"/> in the window ending at <paramref name="end"/>.</summary>
    protected void Accumulate(long end, TKey key, TIn value)
    {
        ref var accumulator = ref _windows.GetOrAdd(end, key, out bool exists);
        if (!exists)
        {
            accumulator = _aggregate.CreateAccumulator();
        }

        accumulator = _aggregate.Add(value, accumulator!);
    }

    /// <summary>Emits and forgets every window whose end is at most <paramref name="maxEnd"/>, earliest first.</summary>
    protected void FireWindowsEndingBy(long maxEnd)
    {
        while (_windows.TryTakeFirst(maxEnd, out long end, out var contents))
        {
            var window = new TimeWindow(end - Assigner.Size, end);
            foreach (var (key, accumulator) in contents)
            {
                _recordsOut++;
                Output.Collect(_resultSelector(key, window, _aggregate.GetResult(accumulator)), window.MaxTimestamp);
            }
        }
    }
}
