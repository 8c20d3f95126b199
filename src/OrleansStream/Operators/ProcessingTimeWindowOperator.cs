using System.Runtime.InteropServices;
using OrleansStream.Functions;
using OrleansStream.Windows;

namespace OrleansStream.Operators;

/// <summary>
/// Keyed tumbling windows over the processing clock: an element joins the window that contains the
/// time it arrives; a window fires on the first clock tick past its end, and at end of input.
/// </summary>
public sealed class ProcessingTimeWindowOperator<TIn, TKey, TAcc, TAgg, TOut> : OneInputOperator<TIn, TOut>
    where TKey : notnull
{
    private readonly WindowAssigner _assigner;
    private readonly Func<TIn, TKey> _keySelector;
    private readonly IAggregateFunction<TIn, TAcc, TAgg> _aggregate;
    private readonly Func<TKey, TimeWindow, TAgg, TOut> _resultSelector;
    private readonly SortedDictionary<long, Dictionary<TKey, TAcc>> _windowsByEnd = new();
    private long _recordsOut;

    public ProcessingTimeWindowOperator(
        string name,
        WindowAssigner assigner,
        Func<TIn, TKey> keySelector,
        IAggregateFunction<TIn, TAcc, TAgg> aggregate,
        Func<TKey, TimeWindow, TAgg, TOut> resultSelector) : base(name)
    {
        if (assigner.IsEventTime || !assigner.IsTumbling)
        {
            throw new ArgumentException($"{assigner} is not a tumbling processing-time window.", nameof(assigner));
        }

        _assigner = assigner;
        _keySelector = keySelector;
        _aggregate = aggregate;
        _resultSelector = resultSelector;
    }

    public override long RecordsOut => _recordsOut;

    public override void ProcessElement(TIn value, long timestamp)
    {
        long end = _assigner.LastWindowStart(Context.Now) + _assigner.Size;
        if (!_windowsByEnd.TryGetValue(end, out var contents))
        {
            contents = new Dictionary<TKey, TAcc>();
            _windowsByEnd.Add(end, contents);
        }

        ref var accumulator = ref CollectionsMarshal.GetValueRefOrAddDefault(contents, _keySelector(value), out bool exists);
        if (!exists)
        {
            accumulator = _aggregate.CreateAccumulator();
        }

        accumulator = _aggregate.Add(value, accumulator!);
    }

    // Processing-time windows do not wait for watermarks; they pass them on.
    public override void ProcessWatermark(long watermark) => Output.EmitWatermark(watermark);

    public override void OnProcessingTime(long now) => FireUpTo(now);

    public override void Finish() => FireUpTo(long.MaxValue);

    private void FireUpTo(long now)
    {
        while (_windowsByEnd.Count > 0)
        {
            long end = _windowsByEnd.Keys.First();
            if (end > now)
            {
                return;
            }

            var contents = _windowsByEnd[end];
            _windowsByEnd.Remove(end);
            var window = new TimeWindow(end - _assigner.Size, end);
            foreach (var (key, accumulator) in contents)
            {
                _recordsOut++;
                Output.Collect(_resultSelector(key, window, _aggregate.GetResult(accumulator)), window.MaxTimestamp);
            }
        }
    }
}
