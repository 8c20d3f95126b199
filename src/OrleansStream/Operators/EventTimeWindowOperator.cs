using OrleansStream.Functions;
using OrleansStream.Time;
using OrleansStream.Windows;

namespace OrleansStream.Operators;

/// <summary>
/// Keyed tumbling or sliding event-time windows with an incremental aggregate. A window fires when
/// the watermark reaches its last timestamp. An element whose windows have all fired already is
/// late and dropped (and counted).
/// </summary>
public sealed class EventTimeWindowOperator<TIn, TKey, TAcc, TAgg, TOut> : WindowOperator<TIn, TKey, TAcc, TAgg, TOut>
    where TKey : notnull
{
    private readonly List<TimeWindow> _assigned = new();
    private long _watermark = Watermark.Initial;

    public EventTimeWindowOperator(
        string name,
        WindowAssigner assigner,
        Func<TIn, TKey> keySelector,
        IAggregateFunction<TIn, TAcc, TAgg> aggregate,
        Func<TKey, TimeWindow, TAgg, TOut> resultSelector) : base(name, assigner, keySelector, aggregate, resultSelector)
    {
        if (!assigner.IsEventTime)
        {
            throw new ArgumentException($"{assigner} is not an event-time window.", nameof(assigner));
        }
    }

    /// <summary>Elements dropped because every window they belong to had fired.</summary>
    public long LateRecordsDropped { get; private set; }

    public override void ProcessElement(TIn value, long timestamp)
    {
        if (timestamp == Watermark.NoTimestamp)
        {
            throw new InvalidOperationException(
                $"Operator '{Name}' received a record without an event timestamp. Assign timestamps with a WatermarkStrategy before an event-time window.");
        }

        var key = KeySelector(value);
        if (Assigner.IsTumbling)
        {
            AddUnlessLate(Assigner.LastWindowStart(timestamp) + Assigner.Size, key, value);
            return;
        }

        _assigned.Clear();
        Assigner.AssignWindows(timestamp, _assigned);
        foreach (var window in _assigned)
        {
            AddUnlessLate(window.End, key, value);
        }
    }

    public override void ProcessWatermark(long watermark)
    {
        if (watermark <= _watermark)
        {
            return;
        }

        _watermark = watermark;

        // A window fires once the watermark reaches its last timestamp, end - 1.
        FireWindowsEndingBy(watermark == long.MaxValue ? long.MaxValue : watermark + 1);
        Output.EmitWatermark(watermark);
    }

    private void AddUnlessLate(long end, TKey key, TIn value)
    {
        if (end - 1 <= _watermark)
        {
            LateRecordsDropped++;
            return;
        }

        Accumulate(end, key, value);
    }
}
