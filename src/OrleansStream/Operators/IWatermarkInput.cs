namespace OrleansStream.Operators;

/// <summary>The non-generic part of an operator's input: watermarks and idleness.</summary>
public interface IWatermarkInput
{
    void ProcessWatermark(long watermark);

    void ProcessIdle(bool idle);
}
