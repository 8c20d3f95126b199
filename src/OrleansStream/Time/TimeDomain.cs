namespace OrleansStream.Time;

/// <summary>Which clock a timer follows (Flink's TimeDomain).</summary>
public enum TimeDomain
{
    /// <summary>The watermark: the timer fires once the watermark reaches its time.</summary>
    EventTime,

    /// <summary>The wall clock of the subtask: the timer fires on the first tick at or after its time.</summary>
    ProcessingTime,
}
