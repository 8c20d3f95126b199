using System.Runtime.InteropServices;
using OrleansStream.Functions;
using OrleansStream.Windows;

namespace OrleansStream.Operators;

/// <summary>
/// What keyed time-window operators share: accumulators per key held per window end (the firing
/// time), so windows fire in order by taking from the front, and the emission of fired windows.
/// Subclasses decide which windows an element joins and when windows fire.
/// </summary>
public abstract class WindowOperator<TIn, TKey, TAcc, TAgg, TOut> : OneInputOperator<TIn, TOut>
    where TKey : notnull
{
    private readonly IAggregateFunction<TIn, TAcc, TAgg> _aggregate;
    private readonly Func<TKey, TimeWindow, TAgg, TOut> _resultSelector;
    private readonly SortedDictionary<long, Dictionary<TKey, TAcc>> _windowsByEnd = new();
    private long _cachedEnd = long.MinValue;
    private Dictionary<TKey, TAcc>? _cachedWindow;
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

    public int OpenWindowCount => _windowsByEnd.Count;

    protected WindowAssigner Assigner { get; }

    protected Func<TIn, TKey> KeySelector { get; }

    /// <summary>Adds <paramref name="value"/> to the accumulator of <paramref name="key"/> in the window ending at <paramref name="end"/>.</summary>
    protected void Accumulate(long end, TKey key, TIn value)
    {
        Dictionary<TKey, TAcc> contents;
        if (end == _cachedEnd)
        {
            // Most elements fall into the window the previous one did.
            contents = _cachedWindow!;
        }
        else
        {
            if (!_windowsByEnd.TryGetValue(end, out contents!))
            {
                contents = new Dictionary<TKey, TAcc>();
                _windowsByEnd.Add(end, contents);
            }

            _cachedEnd = end;
            _cachedWindow = contents;
        }

        ref var accumulator = ref CollectionsMarshal.GetValueRefOrAddDefault(contents, key, out bool exists);
        if (!exists)
        {
            accumulator = _aggregate.CreateAccumulator();
        }

        accumulator = _aggregate.Add(value, accumulator!);
    }

    /// <summary>Emits and forgets every window whose end is at most <paramref name="maxEnd"/>, earliest first.</summary>
    protected void FireWindowsEndingBy(long maxEnd)
    {
        while (_windowsByEnd.Count > 0)
        {
            long end = _windowsByEnd.Keys.First();
            if (end > maxEnd)
            {
                return;
            }

            var contents = _windowsByEnd[end];
            _windowsByEnd.Remove(end);
            if (end == _cachedEnd)
            {
                _cachedEnd = long.MinValue;
                _cachedWindow = null;
            }

            var window = new TimeWindow(end - Assigner.Size, end);
            foreach (var (key, accumulator) in contents)
            {
                _recordsOut++;
                Output.Collect(_resultSelector(key, window, _aggregate.GetResult(accumulator)), window.MaxTimestamp);
            }
        }
    }
}
