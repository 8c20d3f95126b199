using OrleansStream.State;

namespace OrleansStream.Windows;

/// <summary>
/// What a trigger may do for the current key and window (Flink's Trigger.TriggerContext): read the clocks,
/// register and delete timers, and keep state of its own per key and window. A timer fires the trigger's
/// <c>OnEventTime</c> or <c>OnProcessingTime</c> for the window it was registered for.
/// </summary>
public abstract class TriggerContext
{
    private protected TriggerContext() { }

    public abstract long CurrentProcessingTime { get; }

    public abstract long CurrentWatermark { get; }

    public abstract void RegisterEventTimeTimer(long time);

    public abstract void RegisterProcessingTimeTimer(long time);

    public abstract void DeleteEventTimeTimer(long time);

    public abstract void DeleteProcessingTimeTimer(long time);

    /// <summary>
    /// The trigger's value named <paramref name="name"/> for the current key and window (Flink's getPartitionedState):
    /// keyed state, checkpointed with the window. The trigger clears it in its <c>Clear</c>.
    /// </summary>
    public abstract IValueState<TValue> GetValueState<TValue>(string name);
}

/// <summary>The context of <c>Trigger.OnMerge</c> (Flink's OnMergeContext): it can also merge the merged windows' state.</summary>
public abstract class OnMergeContext : TriggerContext
{
    private protected OnMergeContext() { }

    /// <summary>
    /// Combines the values named <paramref name="name"/> of the windows being merged into the merged window's
    /// value with <paramref name="merge"/> (Flink's mergePartitionedState for a reducing state).
    /// </summary>
    public abstract void MergeValueState<TValue>(string name, Func<TValue, TValue, TValue> merge);
}
