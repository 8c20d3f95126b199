namespace OrleansStream.Windows;

/// <summary>Fires a window when the processing clock passes its last timestamp (Flink's ProcessingTimeTrigger); the default of processing-time windows.</summary>
public sealed class ProcessingTimeTrigger : Trigger
{
    private static readonly ProcessingTimeTrigger Instance = new();

    private ProcessingTimeTrigger() { }

    public static ProcessingTimeTrigger Create() => Instance;

    public override bool CanMerge => true;

    public override TriggerResult OnElement(long timestamp, TimeWindow window, TriggerContext context)
    {
        context.RegisterProcessingTimeTimer(window.MaxTimestamp);
        return TriggerResult.Continue;
    }

    public override TriggerResult OnEventTime(long time, TimeWindow window, TriggerContext context) => TriggerResult.Continue;

    public override TriggerResult OnProcessingTime(long time, TimeWindow window, TriggerContext context) => TriggerResult.Fire;

    public override void OnMerge(TimeWindow window, OnMergeContext context)
    {
        if (window.MaxTimestamp > context.CurrentProcessingTime)
        {
            context.RegisterProcessingTimeTimer(window.MaxTimestamp);
        }
    }

    public override void Clear(TimeWindow window, TriggerContext context) => context.DeleteProcessingTimeTimer(window.MaxTimestamp);

    public override string ToString() => "ProcessingTimeTrigger()";
}
