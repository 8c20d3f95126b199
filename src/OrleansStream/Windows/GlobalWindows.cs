namespace OrleansStream.Windows;

/// <summary>
/// One window per key that holds every element (Flink's GlobalWindows). It never fires unless a trigger
/// is set (the default is Flink's NeverTrigger); its state lives until a trigger purges it.
/// </summary>
public sealed class GlobalWindows : WindowAssigner
{
    private static readonly GlobalWindows Instance = new();

    private GlobalWindows() { }

    /// <summary>The one window: all of time, <c>[long.MinValue, long.MaxValue)</c>.</summary>
    public static TimeWindow Window { get; } = new(long.MinValue, long.MaxValue);

    public static GlobalWindows Create() => Instance;

    public override bool IsEventTime => false;

    public override Trigger DefaultTrigger => NeverTrigger.Instance;

    public override void AssignWindows<T>(T element, long timestamp, long currentProcessingTime, List<TimeWindow> windows) => windows.Add(Window);

    public override string Describe() => "GlobalWindows";

    /// <summary>The trigger of global windows that have none: it never fires.</summary>
    private sealed class NeverTrigger : Trigger
    {
        public static readonly NeverTrigger Instance = new();

        public override bool CanMerge => true;

        public override TriggerResult OnElement(long timestamp, TimeWindow window, TriggerContext context) => TriggerResult.Continue;

        public override TriggerResult OnEventTime(long time, TimeWindow window, TriggerContext context) => TriggerResult.Continue;

        public override TriggerResult OnProcessingTime(long time, TimeWindow window, TriggerContext context) => TriggerResult.Continue;

        public override void OnMerge(TimeWindow window, OnMergeContext context) { }

        public override void Clear(TimeWindow window, TriggerContext context) { }

        public override string ToString() => "NeverTrigger";
    }
}
