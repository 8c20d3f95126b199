namespace OrleansStream.Windows;

/// <summary>A half-open time interval <c>[Start, End)</c> in epoch milliseconds.</summary>
public readonly record struct TimeWindow(long Start, long End)
{
    /// <summary>The largest timestamp inside the window; the window fires when the watermark reaches it.</summary>
    public long MaxTimestamp => End - 1;

    public override string ToString() => $"[{Start}, {End})";
}
