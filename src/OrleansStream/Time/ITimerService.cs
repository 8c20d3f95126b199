namespace OrleansStream.Time;

/// <summary>
/// Timers of the current key (Flink's TimerService), for keyed process functions. A timer is identified
/// by its key and time: registering the same time twice for a key sets one timer. Timers fire in time
/// order, with the key they were registered for as the current key; they are part of every checkpoint
/// and fire after a restore as they would have.
/// </summary>
public interface ITimerService
{
    /// <summary>The subtask's wall clock, epoch milliseconds.</summary>
    long CurrentProcessingTime { get; }

    /// <summary>The operator's input watermark; <see cref="Watermark.Initial"/> before the first.</summary>
    long CurrentWatermark { get; }

    /// <summary>Fires once the watermark reaches <paramref name="time"/> (at once with the next watermark if it already has).</summary>
    void RegisterEventTimeTimer(long time);

    /// <summary>Fires on the first clock tick at or after <paramref name="time"/>.</summary>
    void RegisterProcessingTimeTimer(long time);

    void DeleteEventTimeTimer(long time);

    void DeleteProcessingTimeTimer(long time);
}
