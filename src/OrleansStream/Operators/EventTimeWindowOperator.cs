using System.Runtime.InteropServices;
using OrleansStream.Functions;
using OrleansStream.Time;
using OrleansStream.Windows;

namespace OrleansStream.Operators;

/// <summary>
/// Keyed tumbling or sliding event-time windows with an incremental aggregate. Window contents are
/// held per window end (the firing time), so a watermark fires windows in order by removing from the
/// front. An element whose windows have all fired already is late and dropped (and counted).
/// </summary>
public sealed class EventTimeWindowOperator<TIn, TKey, TAcc, TAgg, TOut> : OneInputOperator<TIn, TOut>
    where TKey : notnull
{
    private readonly WindowAssigner _assigner;
    private readonly Func<TIn, TKey> _keySelector;
    private readonly IAggregateFunction<TIn, TAcc, TAgg> _aggregate;
    private readonly Func<TKey, TimeWindow, TAgg, TOut> _resultSelector;
    private readonly SortedDictionary<long, Dictionary<TKey, TAcc>> _windowsByEnd = new();
    private readonly List<TimeWindow> _assigned = new();
    private long _watermark = Watermark.Initial;
    private long _cachedEnd = long.MinValue;
    private Dictionary<TKey, TAcc>? _cachedWindow;
    private long _recordsOut;

    public EventTimeWindowOperator(
        string name,
        WindowAssigner assigner,
        Func<TIn, TKey> keySelector,
        IAggregateFunction<TIn, TAcc, TAgg> aggregate,
        Func<TKey, TimeWindow, TAgg, TOut> resultSelector) : base(name)
    {
        if (!assigner.IsEventTime)
        {
            throw new ArgumentException($"{assigner} is not an event-time window.", nameof(assigner));
        }

        _assigner = assigner;
        _keySelector = keySelector;
        _aggregate = aggregate;
        _resultSelector = resultSelector;
    }

    /// <summary>Elements dropped because every window they belong to had fired.</summary>
    public long LateRecordsDropped { get; private set; }

    public override long RecordsOut => _recordsOut;

    public int OpenWindowCount => _windowsByEnd.Count;

    public override void ProcessElement(TIn value, long timestamp)
    {
        if (timestamp == Watermark.NoTimestamp)
        {
            throw new InvalidOperationException(
                $"Operator '{Name}' received a record without an event timestamp. Assign timestamps with a WatermarkStrategy before an event-time window.");
        }

        var key = _keySelector(value);
        if (_assigner.IsTumbling)
        {
            long start = _assigner.LastWindowStart(timestamp);
            Add(start + _assigner.Size, key, value);
            return;
        }

        _assigned.Clear();
        _assigner.AssignWindows(timestamp, _assigned);
        foreach (var window in _assigned)
        {
            Add(window.End, key, value);
        }
    }

    public override void ProcessWatermark(long watermark)
    {
        if (watermark <= _watermark)
        {
            return;
        }

        _watermark = watermark;
        while (_windowsByEnd.Count > 0)
        {
            var (end, contents) = First();
            if (end - 1 > watermark)
            {
                break;
            }

            _windowsByEnd.Remove(end);
            if (end == _cachedEnd)
            {
                _cachedEnd = long.MinValue;
                _cachedWindow = null;
            }

            var window = new TimeWindow(end - _assigner.Size, end);
            foreach (var (key, accumulator) in contents)
            {
                _recordsOut++;
                Output.Collect(_resultSelector(key, window, _aggregate.GetResult(accumulator)), window.MaxTimestamp);
            }
        }

        Output.EmitWatermark(watermark);
    }

    private void Add(long end, TKey key, TIn value)
    {
        if (end - 1 <= _watermark)
        {
            LateRecordsDropped++;
            return;
        }

        Dictionary<TKey, TAcc> contents;
        if (end == _cachedEnd)
        {
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

    private (long End, Dictionary<TKey, TAcc> Contents) First()
    {
        using var enumerator = _windowsByEnd.GetEnumerator();
        enumerator.MoveNext();
        return (enumerator.Current.Key, enumerator.Current.Value);
    }
}
