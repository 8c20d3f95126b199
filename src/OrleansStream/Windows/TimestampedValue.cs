using OrleansStream.Time;

namespace OrleansStream.Windows;

/// <summary>An element of a window with its timestamp (Flink's TimestampedValue), as evictors see it.</summary>
public readonly record struct TimestampedValue<T>(T Value, long Timestamp)
{
    /// <summary>False for elements without an event timestamp (processing-time streams).</summary>
    public bool HasTimestamp => Timestamp != Watermark.NoTimestamp;
}
