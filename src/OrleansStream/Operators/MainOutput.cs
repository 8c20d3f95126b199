namespace OrleansStream.Operators;

/// <summary>
/// The main output of an operator that also has side outputs: records go to the main output only, but
/// watermarks and idleness go to every output, as in Flink, so that what reads a side output (a window
/// over late records, a sink waiting for the end of time) sees event time advance too.
/// </summary>
internal sealed class MainOutput<T>(IOutput<T> main, ISideOutput[] sides) : IOutput<T>
{
    public void Collect(T value, long timestamp) => main.Collect(value, timestamp);

    public void EmitWatermark(long watermark)
    {
        main.EmitWatermark(watermark);
        foreach (var side in sides)
        {
            side.EmitWatermark(watermark);
        }
    }

    public void EmitIdle(bool idle)
    {
        main.EmitIdle(idle);
        foreach (var side in sides)
        {
            side.EmitIdle(idle);
        }
    }
}
