namespace OrleansStream.Windows;

/// <summary>Turns every Fire of another trigger into FireAndPurge (Flink's PurgingTrigger): a window emits, then starts empty.</summary>
public static class PurgingTrigger
{
    public static Trigger Of(Trigger nested) => new Purging(nested ?? throw new ArgumentNullException(nameof(nested)));

    public static Trigger<T> Of<T>(Trigger<T> nested) => new Purging<T>(nested ?? throw new ArgumentNullException(nameof(nested)));

    private static TriggerResult Purge(TriggerResult result) => result.IsFire() ? TriggerResult.FireAndPurge : result;

    private sealed class Purging(Trigger nested) : Trigger
    {
        public override bool CanMerge => nested.CanMerge;

        public override TriggerResult OnElement(long timestamp, TimeWindow window, TriggerContext context) => Purge(nested.OnElement(timestamp, window, context));

        public override TriggerResult OnEventTime(long time, TimeWindow window, TriggerContext context) => Purge(nested.OnEventTime(time, window, context));

        public override TriggerResult OnProcessingTime(long time, TimeWindow window, TriggerContext context) => Purge(nested.OnProcessingTime(time, window, context));

        public override void OnMerge(TimeWindow window, OnMergeContext context) => nested.OnMerge(window, context);

        public override void Clear(TimeWindow window, TriggerContext context) => nested.Clear(window, context);

        public override string ToString() => $"PurgingTrigger({nested})";
    }

    private sealed class Purging<T>(Trigger<T> nested) : Trigger<T>
    {
        public override bool CanMerge => nested.CanMerge;

        public override TriggerResult OnElement(T element, long timestamp, TimeWindow window, TriggerContext context) => Purge(nested.OnElement(element, timestamp, window, context));

        public override TriggerResult OnEventTime(long time, TimeWindow window, TriggerContext context) => Purge(nested.OnEventTime(time, window, context));

        public override TriggerResult OnProcessingTime(long time, TimeWindow window, TriggerContext context) => Purge(nested.OnProcessingTime(time, window, context));

        public override void OnMerge(TimeWindow window, OnMergeContext context) => nested.OnMerge(window, context);

        public override void Clear(TimeWindow window, TriggerContext context) => nested.Clear(window, context);

        public override string ToString() => $"PurgingTrigger({nested})";
    }
}
