namespace OrleansStream.Windows;

/// <summary>
/// Fires a window every <c>interval</c> of event time, aligned to the interval, and when the watermark
/// reaches the window's end (Flink's ContinuousEventTimeTrigger). The next fire time is keyed state per window.
/// </summary>
public sealed class ContinuousEventTimeTrigger : Trigger
{
    private const string FireTimeState = "next-fire";
    private readonly long _interval;

    private ContinuousEventTimeTrigger(long interval) => _interval = interval;

    public static ContinuousEventTimeTrigger Of(TimeSpan interval)
    {
        long millis = (long)interval.TotalMilliseconds;
        ArgumentOutOfRangeException.ThrowIfLessThan(millis, 1, nameof(interval));
        return new ContinuousEventTimeTrigger(millis);
    }

    public override bool CanMerge => true;

    public override TriggerResult OnElement(long timestamp, TimeWindow window, TriggerContext context)
    {
        if (window.MaxTimestamp <= context.CurrentWatermark)
        {
            return TriggerResult.Fire;
        }

        context.RegisterEventTimeTimer(window.MaxTimestamp);
        var next = context.GetValueState<long>(FireTimeState);
        if (!next.TryGetValue(out _))
        {
            ScheduleAfter(timestamp - (timestamp % _interval), window, context, next);
        }

        return TriggerResult.Continue;
    }

    public override TriggerResult OnEventTime(long time, TimeWindow window, TriggerContext context)
    {
        if (time == window.MaxTimestamp)
        {
            return TriggerResult.Fire;
        }

        var next = context.GetValueState<long>(FireTimeState);
        if (next.TryGetValue(out long fireTime) && fireTime == time)
        {
            next.Clear();
            // At the end of time a window that never ends would fire forever: this firing is its last.
            if (!(window.End == long.MaxValue && context.CurrentWatermark == long.MaxValue))
            {
                ScheduleAfter(time, window, context, next);
            }

            return TriggerResult.Fire;
        }

        return TriggerResult.Continue;
    }

    public override TriggerResult OnProcessingTime(long time, TimeWindow window, TriggerContext context) => TriggerResult.Continue;

    public override void OnMerge(TimeWindow window, OnMergeContext context)
    {
        context.MergeValueState<long>(FireTimeState, Math.Min);
        if (context.GetValueState<long>(FireTimeState).TryGetValue(out long next))
        {
            context.RegisterEventTimeTimer(next);
        }
    }

    public override void Clear(TimeWindow window, TriggerContext context)
    {
        var next = context.GetValueState<long>(FireTimeState);
        if (next.TryGetValue(out long fireTime))
        {
            context.DeleteEventTimeTimer(fireTime);
            next.Clear();
        }
    }

    public override string ToString() => $"ContinuousEventTimeTrigger({TimeSpan.FromMilliseconds(_interval)})";

    private void ScheduleAfter(long time, TimeWindow window, TriggerContext context, State.IValueState<long> next)
    {
        long fireTime = Math.Min(ContinuousTiming.Add(time, _interval), window.MaxTimestamp);
        next.Update(fireTime);
        context.RegisterEventTimeTimer(fireTime);
    }
}

/// <summary>Time arithmetic of the continuous triggers.</summary>
internal static class ContinuousTiming
{
    /// <summary><paramref name="time"/> plus <paramref name="interval"/>, held at the end of time instead of overflowing.</summary>
    public static long Add(long time, long interval) => time > long.MaxValue - interval ? long.MaxValue : time + interval;
}
