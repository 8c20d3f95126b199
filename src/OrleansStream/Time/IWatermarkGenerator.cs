namespace OrleansStream.Time;

/// <summary>Derives watermarks from the timestamps a source subtask has seen.</summary>
public interface IWatermarkGenerator
{
    void OnEvent(long timestamp);

    /// <summary>The watermark to emit now; never decreases.</summary>
    long CurrentWatermark { get; }
}
