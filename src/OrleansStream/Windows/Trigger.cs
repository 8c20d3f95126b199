namespace OrleansStream.Windows;

/// <summary>
/// Decides when a window emits and when its contents are dropped (Flink's Trigger), for triggers that do not
/// look at the element itself, such as all the built-in ones. It is called per element and per timer for the
/// element's or timer's key and window; what it must remember goes into <see cref="TriggerContext.GetValueState{TValue}"/>,
/// never into fields, which are shared by all keys and windows and are not checkpointed.
/// </summary>
public abstract class Trigger
{
    /// <summary>An element was added to <paramref name="window"/>.</summary>
    public abstract TriggerResult OnElement(long timestamp, TimeWindow window, TriggerContext context);

    /// <summary>An event-time timer of <paramref name="window"/> fired at <paramref name="time"/>.</summary>
    public abstract TriggerResult OnEventTime(long time, TimeWindow window, TriggerContext context);

    /// <summary>A processing-time timer of <paramref name="window"/> fired at <paramref name="time"/>.</summary>
    public abstract TriggerResult OnProcessingTime(long time, TimeWindow window, TriggerContext context);

    /// <summary>True when the trigger can follow merging windows (sessions) through <see cref="OnMerge"/>.</summary>
    public virtual bool CanMerge => false;

    /// <summary>Windows merged into <paramref name="window"/>; their state is still there to be merged, and is cleared afterwards.</summary>
    public virtual void OnMerge(TimeWindow window, OnMergeContext context)
        => throw new NotSupportedException($"{this} does not support merging windows.");

    /// <summary>The window is removed: delete the timers and state the trigger holds for it.</summary>
    public abstract void Clear(TimeWindow window, TriggerContext context);

    /// <summary>The trigger as one over elements of type <typeparamref name="T"/>.</summary>
    public Trigger<T> For<T>() => new ElementAgnostic<T>(this);

    private sealed class ElementAgnostic<T>(Trigger inner) : Trigger<T>
    {
        public override bool CanMerge => inner.CanMerge;

        public override TriggerResult OnElement(T element, long timestamp, TimeWindow window, TriggerContext context) => inner.OnElement(timestamp, window, context);

        public override TriggerResult OnEventTime(long time, TimeWindow window, TriggerContext context) => inner.OnEventTime(time, window, context);

        public override TriggerResult OnProcessingTime(long time, TimeWindow window, TriggerContext context) => inner.OnProcessingTime(time, window, context);

        public override void OnMerge(TimeWindow window, OnMergeContext context) => inner.OnMerge(window, context);

        public override void Clear(TimeWindow window, TriggerContext context) => inner.Clear(window, context);

        public override string ToString() => inner.ToString() ?? nameof(Trigger);
    }
}

/// <summary>
/// A trigger that looks at the elements of type <typeparamref name="T"/> (Flink's Trigger&lt;T, W&gt;); see
/// <see cref="Trigger"/> for the rules. Element-agnostic triggers become one with <see cref="Trigger.For{T}"/>.
/// </summary>
public abstract class Trigger<T>
{
    public abstract TriggerResult OnElement(T element, long timestamp, TimeWindow window, TriggerContext context);

    public abstract TriggerResult OnEventTime(long time, TimeWindow window, TriggerContext context);

    public abstract TriggerResult OnProcessingTime(long time, TimeWindow window, TriggerContext context);

    public virtual bool CanMerge => false;

    public virtual void OnMerge(TimeWindow window, OnMergeContext context)
        => throw new NotSupportedException($"{this} does not support merging windows.");

    public abstract void Clear(TimeWindow window, TriggerContext context);
}
