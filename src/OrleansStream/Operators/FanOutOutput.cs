namespace OrleansStream.Operators;

/// <summary>Sends everything to several outputs: an operator read by more than one successor.</summary>
internal sealed class FanOutOutput<T>(IOutput<T>[] outputs) : IOutput<T>
{
    public void Collect(T value, long timestamp)
    {
        foreach (var output in outputs)
        {
            output.Collect(value, timestamp);
        }
    }

    public void EmitWatermark(long watermark)
    {
        foreach (var output in outputs)
        {
            output.EmitWatermark(watermark);
        }
    }

    public void EmitIdle(bool idle)
    {
        foreach (var output in outputs)
        {
            output.EmitIdle(idle);
        }
    }
}

/// <summary>The output of an operator nothing reads (a sink's).</summary>
internal sealed class DiscardingOutput<T> : IOutput<T>
{
    public static readonly DiscardingOutput<T> Instance = new();

    public void Collect(T value, long timestamp) { }

    public void EmitWatermark(long watermark) { }

    public void EmitIdle(bool idle) { }
}
