namespace OrleansStream.Windows;

/// <summary>
/// What the continuous triggers of both clocks share: a window fires every <c>interval</c> of its clock,
/// aligned to the interval; the next fire time is keyed state per window, merged windows keep the earliest,
/// and a window that never ends stops firing at the end of time instead of firing forever.
/// </summary>
public abstract class ContinuousTrigger : Trigger
{
    private const string FireTimeState = "next-fire";

    private protected ContinuousTrigger(long interval) => Interval = interval;

    /// <summary>The time between firings, in milliseconds.</summary>
    public long Interval { get; }

    public sealed override bool CanMerge => true;

    public sealed override void OnMerge(TimeWindow window, OnMergeContext context)
    {
        context.MergeValueState<long>(FireTimeState, Math.Min);
        if (context.GetValueState<long>(FireTimeState).TryGetValue(out long next))
        {
            RegisterTimer(context, next);
        }
    }

    public sealed override void Clear(TimeWindow window, TriggerContext context)
    {
        var next = context.GetValueState<long>(FireTimeState);
        if (next.TryGetValue(out long fireTime))
        {
            DeleteTimer(context, fireTime);
            next.Clear();
        }
    }

    /// <summary>The validated interval of <c>Of(interval)</c>, in milliseconds.</summary>
    private protected static long IntervalOf(TimeSpan interval)
    {
        long millis = (long)interval.TotalMilliseconds;
        ArgumentOutOfRangeException.ThrowIfLessThan(millis, 1, nameof(interval));
        return millis;
    }

    /// <summary>The clock's current time: the watermark, or the wall clock.</summary>
    private protected abstract long Now(TriggerContext context);

    private protected abstract void RegisterTimer(TriggerContext context, long time);

    private protected abstract void DeleteTimer(TriggerContext context, long time);

    /// <summary>Schedules the window's first periodic firing, at the interval after <paramref name="time"/> rounded down to it, unless one is scheduled.</summary>
    private protected void ScheduleFirst(long time, TimeWindow window, TriggerContext context)
    {
        var next = context.GetValueState<long>(FireTimeState);
        if (!next.TryGetValue(out _))
        {
            ScheduleAfter(time - (time % Interval), window, context, next);
        }
    }

    /// <summary>A timer of the trigger's clock fired: fires the window and schedules the next firing when it is the periodic one.</summary>
    private protected TriggerResult OnPeriodicTimer(long time, TimeWindow window, TriggerContext context)
    {
        var next = context.GetValueState<long>(FireTimeState);
        if (!next.TryGetValue(out long fireTime) || fireTime != time)
        {
            return TriggerResult.Continue;
        }

        next.Clear();

        // At the end of time a window that never ends would fire forever: this firing is its last.
        if (!(window.End == long.MaxValue && Now(context) == long.MaxValue))
        {
            ScheduleAfter(time, window, context, next);
        }

        return TriggerResult.Fire;
    }

    private void ScheduleAfter(long time, TimeWindow window, TriggerContext context, State.IValueState<long> next)
    {
        // Held at the end of time instead of overflowing.
        long fireTime = Math.Min(time > long.MaxValue - Interval ? long.MaxValue : time + Interval, window.MaxTimestamp);
        next.Update(fireTime);
        RegisterTimer(context, fireTime);
    }
}
