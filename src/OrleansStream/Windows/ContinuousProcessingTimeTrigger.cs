namespace OrleansStream.Windows;

/// <summary>
/// Fires a window every <c>interval</c> of processing time, aligned to the interval (Flink's
/// ContinuousProcessingTimeTrigger). The next fire time is keyed state per window.
/// </summary>
public sealed class ContinuousProcessingTimeTrigger : ContinuousTrigger
{
    private ContinuousProcessingTimeTrigger(long interval) : base(interval) { }

    public static ContinuousProcessingTimeTrigger Of(TimeSpan interval) => new(IntervalOf(interval));

    public override TriggerResult OnElement(long timestamp, TimeWindow window, TriggerContext context)
    {
        ScheduleFirst(context.CurrentProcessingTime, window, context);
        return TriggerResult.Continue;
    }

    public override TriggerResult OnEventTime(long time, TimeWindow window, TriggerContext context) => TriggerResult.Continue;

    public override TriggerResult OnProcessingTime(long time, TimeWindow window, TriggerContext context) => OnPeriodicTimer(time, window, context);

    public override string ToString() => $"ContinuousProcessingTimeTrigger({TimeSpan.FromMilliseconds(Interval)})";

    private protected override long Now(TriggerContext context) => context.CurrentProcessingTime;

    private protected override void RegisterTimer(TriggerContext context, long time) => context.RegisterProcessingTimeTimer(time);

    private protected override void DeleteTimer(TriggerContext context, long time) => context.DeleteProcessingTimeTimer(time);
}
