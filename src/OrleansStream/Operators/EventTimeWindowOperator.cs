using OrleansStream.Functions;
using OrleansStream.State;
using OrleansStream.Time;
using OrleansStream.Windows;

namespace OrleansStream.Operators;

/// <summary>
/// Keyed tumbling or sliding event-time windows with an incremental aggregate, fired as Flink's default
/// EventTimeTrigger fires them. A window fires when the watermark reaches its last timestamp
/// (<c>end - 1</c>); its state is kept until the watermark reaches <c>end - 1 + allowed lateness</c>.
/// An element for a window that has fired but is still kept updates it and fires it again at once,
/// with the updated result. An element whose windows are all past their lateness is late: it goes to
/// the late-data side output if one is set and read, else it is dropped and counted.
/// </summary>
/// <remarks>
/// Windows that have fired and are kept for late elements live in a table of their own
/// ("fired-windows"), next to the unfired ones ("windows"): both are keyed state, so a restored job
/// neither fires a window twice nor forgets one it may still update, whatever watermark it restarts with.
/// </remarks>
public sealed class EventTimeWindowOperator<TIn, TKey, TAcc, TAgg, TOut> : AlignedWindowOperator<TIn, TKey, TAcc, TAgg, TOut>
    where TKey : notnull
{
    private readonly List<TimeWindow> _assigned = new();
    private readonly long _lateness;
    private readonly OutputTag<TIn>? _lateDataTag;
    private WindowStateTable<TKey, TAcc> _fired = null!;
    private LateElements<TIn>? _late;
    private long _watermark = Watermark.Initial;
    private long _fireLimit;
    private long _cleanupLimit;

    public EventTimeWindowOperator(
        string name,
        AlignedWindowAssigner assigner,
        Func<TIn, TKey> keySelector,
        IAggregateFunction<TIn, TAcc, TAgg> aggregate,
        Func<TKey, TimeWindow, TAgg, TOut> resultSelector,
        TimeSpan allowedLateness = default,
        OutputTag<TIn>? lateDataTag = null) : base(name, assigner, keySelector, aggregate, resultSelector)
    {
        if (!assigner.IsEventTime)
        {
            throw new ArgumentException($"{assigner} is not an event-time window.", nameof(assigner));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(allowedLateness, TimeSpan.Zero);
        _lateness = (long)allowedLateness.TotalMilliseconds;
        _lateDataTag = lateDataTag;
        SetLimits(_watermark);
    }

    /// <summary>Late elements that went nowhere: no late-data tag is set, or nothing reads it.</summary>
    public long LateRecordsDropped => _late?.Dropped ?? 0;

    /// <summary>Late elements emitted to the late-data side output.</summary>
    public long LateRecordsSideOutput => _late?.SideOutput ?? 0;

    /// <summary>Windows that have fired and whose state is kept for late elements.</summary>
    public int FiredWindowCount => _fired.WindowCount;

    public override void Open(OperatorContext context)
    {
        base.Open(context);
        _fired = context.State.GetKeyedStateBackend<TKey>().GetWindowState<TAcc>("fired-windows");
        _late = new LateElements<TIn>(_lateDataTag, SideOutputs);
    }

    public override void ProcessElement(TIn value, long timestamp)
    {
        if (timestamp == Watermark.NoTimestamp)
        {
            throw new InvalidOperationException(
                $"Operator '{Name}' received a record without an event timestamp. Assign timestamps with a WatermarkStrategy before an event-time window.");
        }

        var key = KeySelector(value);
        bool accepted;
        if (Assigner.IsTumbling)
        {
            accepted = Add(Assigner.LastWindowStart(timestamp) + Assigner.Size, key, value);
        }
        else
        {
            accepted = false;
            _assigned.Clear();
            Assigner.AssignWindows(timestamp, _assigned);
            foreach (var window in _assigned)
            {
                accepted |= Add(window.End, key, value);
            }
        }

        if (!accepted)
        {
            _late!.Collect(value, timestamp);
        }
    }

    public override void ProcessWatermark(long watermark)
    {
        if (watermark <= _watermark)
        {
            return;
        }

        _watermark = watermark;
        SetLimits(watermark);
        while (TryFireFirst(_fireLimit, out long end, out var contents))
        {
            if (_lateness > 0)
            {
                _fired.AddWindow(end, contents);
            }
        }

        // Also drops fired windows restored from a job that allowed more lateness than this one.
        while (_fired.TryTakeFirst(_cleanupLimit, out _, out _))
        {
        }

        Output.EmitWatermark(watermark);
    }

    /// <summary>Adds the element to one of its windows unless that window is past its lateness; false when it is.</summary>
    private bool Add(long end, TKey key, TIn value)
    {
        if (end <= _cleanupLimit)
        {
            return false;
        }

        if (end <= _fireLimit || (_fired.WindowCount > 0 && _fired.Contains(end, key)))
        {
            // The window has fired: with allowed lateness it fires again at once (Flink's trigger does the same).
            Emit(end, key, Accumulate(_fired, end, key, value));
        }
        else
        {
            Accumulate(end, key, value);
        }

        return true;
    }

    /// <summary>
    /// A window ending at <c>end</c> has fired once <c>end - 1 &lt;= watermark</c> (end at most the fire limit)
    /// and is gone once <c>end - 1 + lateness &lt;= watermark</c> (end at most the cleanup limit).
    /// </summary>
    private void SetLimits(long watermark)
    {
        _fireLimit = watermark == long.MaxValue ? long.MaxValue : watermark + 1;
        _cleanupLimit = watermark == long.MaxValue ? long.MaxValue
            : watermark < long.MinValue + _lateness ? long.MinValue
            : watermark - _lateness + 1;
    }
}
