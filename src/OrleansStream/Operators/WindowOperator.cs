using OrleansStream.Functions;
using OrleansStream.State;
using OrleansStream.Time;
using OrleansStream.Windows;

namespace OrleansStream.Operators;

/// <summary>
/// The general keyed window operator (Flink's WindowOperator): any assigner, merging ones (sessions) included,
/// any trigger, and contents that are an accumulator or the elements (for evictors and process window functions).
/// Everything it keeps is keyed state: window contents per state window, the merging window set, trigger state,
/// and the timers of triggers and window cleanup, in the window's namespace. So a restored or rescaled job goes
/// on exactly where the checkpoint left it.
/// </summary>
/// <remarks>
/// A window is cleaned up (contents, trigger state, merging entry) when its cleanup timer fires: at its last
/// timestamp plus the allowed lateness in event time, at its last timestamp in processing time, never for the
/// global window. An element whose windows are all past cleanup is late: it goes to the late-data side output
/// if one is set and read, else it is dropped and counted. At end of input (the end-of-time watermark, then
/// finish) processing-time timers fire as if the clock had reached the end of time, as the aligned
/// processing-time operator does, so that no window is left unfired.
/// </remarks>
public sealed class WindowOperator<TIn, TKey, TOut> : OneInputOperator<TIn, TOut>, ITimerTarget<TKey, TimeWindow>
    where TKey : notnull
{
    private readonly WindowAssigner _assigner;
    private readonly MergingWindowAssigner? _mergingAssigner;
    private readonly Func<TIn, TKey> _keySelector;
    private readonly Trigger<TIn> _trigger;
    private readonly WindowContents<TIn, TKey, TOut> _contents;
    private readonly long _lateness;
    private readonly OutputTag<TIn>? _lateDataTag;
    private readonly List<TimeWindow> _assigned = new();
    private readonly MergingWindowSet<TKey>.MergeFunction _onMerge;
    private KeyedStateBackend<TKey> _state = null!;
    private InternalTimerService<TKey, TimeWindow> _timers = null!;
    private MergingWindowSet<TKey>? _mergingWindows;
    private WindowTriggerContext<TKey> _triggerContext = null!;
    private WindowFiring<TOut> _firing = null!;
    private LateElements<TIn>? _late;
    private bool _endOfTime;

    public WindowOperator(
        string name,
        WindowAssigner assigner,
        Func<TIn, TKey> keySelector,
        Trigger<TIn> trigger,
        WindowContents<TIn, TKey, TOut> contents,
        TimeSpan allowedLateness = default,
        OutputTag<TIn>? lateDataTag = null) : base(name)
    {
        ArgumentNullException.ThrowIfNull(assigner);
        ArgumentNullException.ThrowIfNull(trigger);
        ArgumentOutOfRangeException.ThrowIfLessThan(allowedLateness, TimeSpan.Zero);
        _mergingAssigner = assigner as MergingWindowAssigner;
        if (_mergingAssigner is not null && !trigger.CanMerge)
        {
            throw new ArgumentException($"The merging window assigner {assigner} cannot be used with {trigger}, which does not support merging.", nameof(trigger));
        }

        if (!assigner.IsEventTime && (allowedLateness > TimeSpan.Zero || lateDataTag is not null))
        {
            throw new ArgumentException($"Allowed lateness and late data apply to event-time windows only, but the windows are {assigner}.", nameof(assigner));
        }

        _assigner = assigner;
        _keySelector = keySelector;
        _trigger = trigger;
        _contents = contents;
        _lateness = (long)allowedLateness.TotalMilliseconds;
        _lateDataTag = lateDataTag;
        _onMerge = OnMerge;
    }

    public override long RecordsOut => _firing?.RecordsOut ?? 0;

    /// <summary>Late elements that went nowhere: no late-data tag is set, or nothing reads it.</summary>
    public long LateRecordsDropped => _late?.Dropped ?? 0;

    /// <summary>Late elements emitted to the late-data side output.</summary>
    public long LateRecordsSideOutput => _late?.SideOutput ?? 0;

    /// <summary>Timers pending in event time (trigger and cleanup timers).</summary>
    public int EventTimeTimerCount => _timers.EventTimeTimerCount;

    public int ProcessingTimeTimerCount => _timers.ProcessingTimeTimerCount;

    private long CurrentWatermark => _timers.CurrentWatermark;

    private long ProcessingTime => _endOfTime ? long.MaxValue : Context.Now;

    public override void Open(OperatorContext context)
    {
        base.Open(context);
        _state = context.State.GetKeyedStateBackend<TKey>();
        _timers = _state.GetTimerService<TimeWindow>("window-timers");
        _timers.Bind(this);
        _mergingWindows = _mergingAssigner is null ? null : new MergingWindowSet<TKey>(_mergingAssigner, _state);
        _triggerContext = new WindowTriggerContext<TKey>(_state, _timers, () => ProcessingTime);
        var globalState = new BackendStateStore<TKey>(_state, context.Clock);
        _firing = new WindowFiring<TOut>(Output, SideOutputs, globalState, () => ProcessingTime, () => CurrentWatermark);
        _late = new LateElements<TIn>(_lateDataTag, SideOutputs);
        _contents.Open(_state, new RuntimeContext(context, globalState));
    }

    public override void ProcessElement(TIn value, long timestamp)
    {
        if (_assigner.IsEventTime && timestamp == Watermark.NoTimestamp)
        {
            throw new InvalidOperationException(
                $"Operator '{Name}' received a record without an event timestamp. Assign timestamps with a WatermarkStrategy before an event-time window.");
        }

        var key = _keySelector(value);
        _state.SetCurrentKey(key);
        _assigned.Clear();
        _assigner.AssignWindows(value, timestamp, ProcessingTime, _assigned);
        bool skipped = true;
        foreach (var window in _assigned)
        {
            var actualWindow = window;
            var stateWindow = window;
            if (_mergingWindows is { } merging)
            {
                actualWindow = merging.AddWindow(window, _onMerge);
                if (IsWindowLate(actualWindow))
                {
                    merging.RetireWindow(actualWindow);
                    continue;
                }

                if (!merging.TryGetStateWindow(actualWindow, out stateWindow))
                {
                    throw new InvalidOperationException($"Window {actualWindow} has no state window.");
                }
            }
            else if (IsWindowLate(window))
            {
                continue;
            }

            skipped = false;
            _contents.Add(stateWindow, value, timestamp);
            _triggerContext.Window = actualWindow;
            Apply(_trigger.OnElement(value, timestamp, actualWindow, _triggerContext), key, actualWindow, stateWindow);
            RegisterCleanupTimer(actualWindow);
        }

        if (skipped && IsElementLate(timestamp))
        {
            _late!.Collect(value, timestamp);
        }
    }

    public override void ProcessWatermark(long watermark)
    {
        if (watermark > CurrentWatermark)
        {
            if (watermark == Watermark.EndOfTime)
            {
                // Processing-time windows fire before the last watermark, so their results are not behind it downstream.
                FireAllProcessingTime();
            }

            _timers.AdvanceWatermark(watermark);
        }

        Output.EmitWatermark(watermark);
    }

    public override void OnProcessingTime(long now) => _timers.OnProcessingTime(now);

    public override void Finish() => FireAllProcessingTime();

    public override ValueTask CloseAsync()
    {
        _contents.Close();
        return ValueTask.CompletedTask;
    }

    void ITimerTarget<TKey, TimeWindow>.OnEventTime(InternalTimer<TKey, TimeWindow> timer) => OnTimer(timer, TimeDomain.EventTime);

    void ITimerTarget<TKey, TimeWindow>.OnProcessingTime(InternalTimer<TKey, TimeWindow> timer) => OnTimer(timer, TimeDomain.ProcessingTime);

    private void OnTimer(InternalTimer<TKey, TimeWindow> timer, TimeDomain domain)
    {
        var window = timer.Namespace;
        var stateWindow = window;
        if (_mergingWindows is { } merging && !merging.TryGetStateWindow(window, out stateWindow))
        {
            // The window was merged into another or removed; its trigger state went with it.
            return;
        }

        _triggerContext.Window = window;
        var result = domain == TimeDomain.EventTime
            ? _trigger.OnEventTime(timer.Timestamp, window, _triggerContext)
            : _trigger.OnProcessingTime(timer.Timestamp, window, _triggerContext);
        Apply(result, timer.Key, window, stateWindow);
        bool cleanupDomain = _assigner.IsEventTime == (domain == TimeDomain.EventTime);
        if (cleanupDomain && timer.Timestamp == CleanupTime(window))
        {
            ClearAllState(window, stateWindow);
        }
    }

    private void Apply(TriggerResult result, TKey key, TimeWindow window, TimeWindow stateWindow)
    {
        if (result.IsFire())
        {
            _firing.Begin(window);
            _contents.Emit(key, stateWindow, _firing);
        }

        if (result.IsPurge())
        {
            _contents.Clear(stateWindow);
        }
    }

    private void OnMerge(TimeWindow mergeResult, IReadOnlyList<TimeWindow> mergedWindows, TimeWindow stateWindowResult, IReadOnlyList<TimeWindow> mergedStateWindows)
    {
        if (IsWindowLate(mergeResult))
        {
            throw new InvalidOperationException(
                $"Merging made the event-time window {mergeResult} end before the current watermark {CurrentWatermark} (plus the allowed lateness).");
        }

        _triggerContext.Window = mergeResult;
        _triggerContext.MergedWindows = mergedWindows;
        _trigger.OnMerge(mergeResult, _triggerContext);
        _triggerContext.MergedWindows = Array.Empty<TimeWindow>();
        foreach (var merged in mergedWindows)
        {
            _triggerContext.Window = merged;
            _trigger.Clear(merged, _triggerContext);
            DeleteCleanupTimer(merged);
        }

        _contents.Merge(stateWindowResult, mergedStateWindows);
    }

    private void ClearAllState(TimeWindow window, TimeWindow stateWindow)
    {
        _contents.Clear(stateWindow);
        _triggerContext.Window = window;
        _trigger.Clear(window, _triggerContext);
        _firing.Begin(window);
        _contents.OnWindowRemoved(_firing);
        _mergingWindows?.RetireWindow(window);
    }

    private void FireAllProcessingTime()
    {
        _endOfTime = true;
        _timers.OnProcessingTime(long.MaxValue);
    }

    /// <summary>
    /// When a window's state goes: its last timestamp plus the allowed lateness in event time, its last timestamp
    /// in processing time; never (long.MaxValue) for a window that lasts to the end of time.
    /// </summary>
    private long CleanupTime(TimeWindow window)
    {
        if (window.End == long.MaxValue)
        {
            return long.MaxValue;
        }

        if (!_assigner.IsEventTime)
        {
            return window.MaxTimestamp;
        }

        return window.MaxTimestamp > long.MaxValue - _lateness ? long.MaxValue : window.MaxTimestamp + _lateness;
    }

    private void RegisterCleanupTimer(TimeWindow window)
    {
        long time = CleanupTime(window);
        if (time == long.MaxValue)
        {
            return;
        }

        if (_assigner.IsEventTime)
        {
            _timers.RegisterEventTimeTimer(window, time);
        }
        else
        {
            _timers.RegisterProcessingTimeTimer(window, time);
        }
    }

    private void DeleteCleanupTimer(TimeWindow window)
    {
        long time = CleanupTime(window);
        if (time == long.MaxValue)
        {
            return;
        }

        if (_assigner.IsEventTime)
        {
            _timers.DeleteEventTimeTimer(window, time);
        }
        else
        {
            _timers.DeleteProcessingTimeTimer(window, time);
        }
    }

    private bool IsWindowLate(TimeWindow window) => _assigner.IsEventTime && CleanupTime(window) <= CurrentWatermark;

    private bool IsElementLate(long timestamp)
        => _assigner.IsEventTime && (timestamp > long.MaxValue - _lateness ? long.MaxValue : timestamp + _lateness) <= CurrentWatermark;
}
