namespace OrleansStream.Time;

/// <summary>Event-time constants. Timestamps and watermarks are epoch milliseconds.</summary>
public static class Watermark
{
    /// <summary>No watermark yet: nothing can be considered complete.</summary>
    public const long Initial = long.MinValue;

    /// <summary>The end of time: emitted when a bounded input is exhausted, so every open window fires.</summary>
    public const long EndOfTime = long.MaxValue;

    /// <summary>Marks a record that carries no event timestamp.</summary>
    public const long NoTimestamp = long.MinValue;
}
