namespace OrleansStream.Windows;

/// <summary>Fires a window every time it has received <c>n</c> more elements (Flink's CountTrigger); the count is keyed state per window.</summary>
public sealed class CountTrigger : Trigger
{
    private const string CountState = "count";
    private readonly long _maxCount;

    private CountTrigger(long maxCount) => _maxCount = maxCount;

    public static CountTrigger Of(long maxCount)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxCount, 1);
        return new CountTrigger(maxCount);
    }

    public override bool CanMerge => true;

    public override TriggerResult OnElement(long timestamp, TimeWindow window, TriggerContext context)
    {
        var count = context.GetValueState<long>(CountState);
        long seen = count.Value + 1;
        if (seen >= _maxCount)
        {
            count.Clear();
            return TriggerResult.Fire;
        }

        count.Update(seen);
        return TriggerResult.Continue;
    }

    public override TriggerResult OnEventTime(long time, TimeWindow window, TriggerContext context) => TriggerResult.Continue;

    public override TriggerResult OnProcessingTime(long time, TimeWindow window, TriggerContext context) => TriggerResult.Continue;

    public override void OnMerge(TimeWindow window, OnMergeContext context) => context.MergeValueState<long>(CountState, (a, b) => a + b);

    public override void Clear(TimeWindow window, TriggerContext context) => context.GetValueState<long>(CountState).Clear();

    public override string ToString() => $"CountTrigger({_maxCount})";
}
