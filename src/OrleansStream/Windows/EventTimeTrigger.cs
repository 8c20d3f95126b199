namespace OrleansStream.Windows;

/// <summary>
/// Fires a window once the watermark reaches its last timestamp (Flink's EventTimeTrigger), and at once for
/// an element that arrives after that (within the allowed lateness). The default of event-time windows.
/// </summary>
public sealed class EventTimeTrigger : Trigger
{
    private static readonly EventTimeTrigger Instance = new();

    private EventTimeTrigger() { }

    public static EventTimeTrigger Create() => Instance;

    public override bool CanMerge => true;

    public override TriggerResult OnElement(long timestamp, TimeWindow window, TriggerContext context)
    {
        if (window.MaxTimestamp <= context.CurrentWatermark)
        {
            return TriggerResult.Fire;
        }

        context.RegisterEventTimeTimer(window.MaxTimestamp);
        return TriggerResult.Continue;
    }

    public override TriggerResult OnEventTime(long time, TimeWindow window, TriggerContext context)
        => time == window.MaxTimestamp ? TriggerResult.Fire : TriggerResult.Continue;

    public override TriggerResult OnProcessingTime(long time, TimeWindow window, TriggerContext context) => TriggerResult.Continue;

    public override void OnMerge(TimeWindow window, OnMergeContext context)
    {
        // A merged window that is already past the watermark has fired through its parts or will be cleaned up.
        if (window.MaxTimestamp > context.CurrentWatermark)
        {
            context.RegisterEventTimeTimer(window.MaxTimestamp);
        }
    }

    public override void Clear(TimeWindow window, TriggerContext context) => context.DeleteEventTimeTimer(window.MaxTimestamp);

    public override string ToString() => "EventTimeTrigger()";
}
