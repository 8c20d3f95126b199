using OrleansStream.State;
using OrleansStream.Windows;

namespace OrleansStream.Operators;

/// <summary>
/// The trigger context of a window operator for the current key and <see cref="Window"/>: timers go to the
/// operator's timer service in the window's namespace, and trigger state is keyed state per window.
/// </summary>
internal sealed class WindowTriggerContext<TKey> : OnMergeContext
    where TKey : notnull
{
    private readonly KeyedStateBackend<TKey> _state;
    private readonly InternalTimerService<TKey, TimeWindow> _timers;
    private readonly Func<long> _processingTime;
    private readonly Dictionary<string, object> _values = new(StringComparer.Ordinal);

    public WindowTriggerContext(KeyedStateBackend<TKey> state, InternalTimerService<TKey, TimeWindow> timers, Func<long> processingTime)
    {
        _state = state;
        _timers = timers;
        _processingTime = processingTime;
    }

    /// <summary>The window the trigger is called for.</summary>
    public TimeWindow Window { get; set; }

    /// <summary>During a merge: the windows merged into <see cref="Window"/>.</summary>
    public IReadOnlyList<TimeWindow> MergedWindows { get; set; } = Array.Empty<TimeWindow>();

    public override long CurrentProcessingTime => _processingTime();

    public override long CurrentWatermark => _timers.CurrentWatermark;

    public override void RegisterEventTimeTimer(long time) => _timers.RegisterEventTimeTimer(Window, time);

    public override void RegisterProcessingTimeTimer(long time) => _timers.RegisterProcessingTimeTimer(Window, time);

    public override void DeleteEventTimeTimer(long time) => _timers.DeleteEventTimeTimer(Window, time);

    public override void DeleteProcessingTimeTimer(long time) => _timers.DeleteProcessingTimeTimer(Window, time);

    public override IValueState<TValue> GetValueState<TValue>(string name) => ValuesNamed<TValue>(name);

    public override void MergeValueState<TValue>(string name, Func<TValue, TValue, TValue> merge)
    {
        var values = ValuesNamed<TValue>(name);
        bool any = values.TryGetValueOf(Window, out var merged);
        foreach (var window in MergedWindows)
        {
            if (window != Window && values.TryGetValueOf(window, out var value))
            {
                merged = any ? merge(merged, value) : value;
                any = true;
            }
        }

        if (any)
        {
            values.UpdateOf(Window, merged);
        }
    }

    private WindowValueState<TValue> ValuesNamed<TValue>(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (!_values.TryGetValue(name, out var values))
        {
            _values[name] = values = new WindowValueState<TValue>(_state.GetMapState<TimeWindow, TValue>($"trigger-{name}"), this);
        }

        return values as WindowValueState<TValue> ?? throw new InvalidOperationException($"The trigger state '{name}' is already used with another value type.");
    }

    /// <summary>A value per key and window: a map from window to value in the key's state, read at the context's window.</summary>
    private sealed class WindowValueState<TValue>(IMapState<TimeWindow, TValue> byWindow, WindowTriggerContext<TKey> context) : IValueState<TValue>
    {
        public TValue? Value => byWindow.TryGetValue(context.Window, out var value) ? value : default;

        public bool TryGetValue(out TValue value) => byWindow.TryGetValue(context.Window, out value);

        public void Update(TValue value) => byWindow.Put(context.Window, value);

        public void Clear() => byWindow.Remove(context.Window);

        public bool TryGetValueOf(TimeWindow window, out TValue value) => byWindow.TryGetValue(window, out value);

        public void UpdateOf(TimeWindow window, TValue value) => byWindow.Put(window, value);
    }
}
