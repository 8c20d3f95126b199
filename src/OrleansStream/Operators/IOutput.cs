namespace OrleansStream.Operators;

/// <summary>
/// Where an operator sends what it produces: the next operator of the chain (a plain call) or a
/// network writer to the subtasks of the next vertex. Watermarks travel the same way as records.
/// </summary>
public interface IOutput<in T>
{
    void Collect(T value, long timestamp);

    void EmitWatermark(long watermark);

    /// <summary>Tells downstream that this output will be silent (idle) or is active again.</summary>
    void EmitIdle(bool idle);
}
