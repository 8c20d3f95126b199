namespace OrleansStream.Windows;

/// <summary>
/// Fires a window every <c>interval</c> of processing time, aligned to the interval (Flink's
/// ContinuousProcessingTimeTrigger). The next fire time is keyed state per window.
/// </summary>
public sealed class ContinuousProcessingTimeTrigger : Trigger
{
    private const string FireTimeState = "next-fire";
    private readonly long _interval;

    private ContinuousProcessingTimeTrigger(long interval) => _interval = interval;

    public static ContinuousProcessingTimeTrigger Of(TimeSpan interval)
    {
        long millis = (long)interval.TotalMilliseconds;
        ArgumentOutOfRangeException.ThrowIfLessThan(millis, 1, nameof(interval));
        return new ContinuousProcessingTimeTrigger(millis);
    }

    public override bool CanMerge => true;

    public override TriggerResult OnElement(long timestamp, TimeWindow window, TriggerContext context)
    {
        var next = context.GetValueState<long>(FireTimeState);
        if (!next.TryGetValue(out _))
        {
            long now = context.CurrentProcessingTime;
            ScheduleAfter(now - (now % _interval), window, context, next);
        }

        return TriggerResult.Continue;
    }

    public override TriggerResult OnEventTime(long time, TimeWindow window, TriggerContext context) => TriggerResult.Continue;

    public override TriggerResult OnProcessingTime(long time, TimeWindow window, TriggerContext context)
    {
        var next = context.GetValueState<long>(FireTimeState);
        if (next.TryGetValue(out long fireTime) && fireTime == time)
        {
            next.Clear();
            // At the end of time a window that never ends would fire forever: this firing is its last.
            if (!(window.End == long.MaxValue && context.CurrentProcessingTime == long.MaxValue))
            {
                ScheduleAfter(time, window, context, next);
            }

            return TriggerResult.Fire;
        }

        return TriggerResult.Continue;
    }

    public override void OnMerge(TimeWindow window, OnMergeContext context)
    {
        context.MergeValueState<long>(FireTimeState, Math.Min);
        if (context.GetValueState<long>(FireTimeState).TryGetValue(out long next))
        {
            context.RegisterProcessingTimeTimer(next);
        }
    }

    public override void Clear(TimeWindow window, TriggerContext context)
    {
        var next = context.GetValueState<long>(FireTimeState);
        if (next.TryGetValue(out long fireTime))
        {
            context.DeleteProcessingTimeTimer(fireTime);
            next.Clear();
        }
    }

    public override string ToString() => $"ContinuousProcessingTimeTrigger({TimeSpan.FromMilliseconds(_interval)})";

    private void ScheduleAfter(long time, TimeWindow window, TriggerContext context, State.IValueState<long> next)
    {
        long fireTime = Math.Min(ContinuousTiming.Add(time, _interval), window.MaxTimestamp);
        next.Update(fireTime);
        context.RegisterProcessingTimeTimer(fireTime);
    }
}
