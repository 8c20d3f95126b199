namespace OrleansStream.Operators;

/// <summary>The non-generic face of a side output, so that watermarks reach it from an output of another type.</summary>
internal interface ISideOutput
{
    string TagId { get; }

    Type RecordType { get; }

    void EmitWatermark(long watermark);

    void EmitIdle(bool idle);
}

/// <summary>One reader (a chained operator or network edges) of an operator's side output.</summary>
internal sealed class SideOutput<T>(string tagId, IOutput<T> output) : ISideOutput
{
    public string TagId { get; } = tagId;

    public Type RecordType => typeof(T);

    public IOutput<T> Output { get; } = output;

    public void EmitWatermark(long watermark) => Output.EmitWatermark(watermark);

    public void EmitIdle(bool idle) => Output.EmitIdle(idle);
}
