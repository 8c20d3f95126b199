namespace OrleansStream.Windows;

/// <summary>
/// Fires a window every <c>interval</c> of event time, aligned to the interval, and when the watermark
/// reaches the window's end (Flink's ContinuousEventTimeTrigger). The next fire time is keyed state per window.
/// </summary>
public sealed class ContinuousEventTimeTrigger : ContinuousTrigger
{
    private ContinuousEventTimeTrigger(long interval) : base(interval) { }

    public static ContinuousEventTimeTrigger Of(TimeSpan interval) => new(IntervalOf(interval));

    public override TriggerResult OnElement(long timestamp, TimeWindow window, TriggerContext context)
    {
        if (window.MaxTimestamp <= context.CurrentWatermark)
        {
            return TriggerResult.Fire;
        }

        context.RegisterEventTimeTimer(window.MaxTimestamp);
        ScheduleFirst(timestamp, window, context);
        return TriggerResult.Continue;
    }

    public override TriggerResult OnEventTime(long time, TimeWindow window, TriggerContext context)
        => time == window.MaxTimestamp ? TriggerResult.Fire : OnPeriodicTimer(time, window, context);

    public override TriggerResult OnProcessingTime(long time, TimeWindow window, TriggerContext context) => TriggerResult.Continue;

    public override string ToString() => $"ContinuousEventTimeTrigger({TimeSpan.FromMilliseconds(Interval)})";

    private protected override long Now(TriggerContext context) => context.CurrentWatermark;

    private protected override void RegisterTimer(TriggerContext context, long time) => context.RegisterEventTimeTimer(time);

    private protected override void DeleteTimer(TriggerContext context, long time) => context.DeleteEventTimeTimer(time);
}
