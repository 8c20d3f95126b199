namespace OrleansStream.Operators;

/// <summary>
/// What one- and two-input operators share (Flink's AbstractStreamOperator): a name, the main output and
/// side outputs bound when the chain is assembled, the context given at open, the lifecycle hooks, and
/// watermarks and idleness passed on by default.
/// </summary>
public abstract class StreamOperator<TOut> : IStreamOperator, IWatermarkInput
{
    private IOutput<TOut>? _output;

    private protected StreamOperator(string name) => Name = name;

    public string Name { get; }

    public long RecordsIn => RecordsInCount;

    public virtual long RecordsOut => 0;

    /// <summary>Records received; the input ports count them.</summary>
    private protected long RecordsInCount { get; set; }

    protected IOutput<TOut> Output => _output ?? throw new InvalidOperationException($"Operator '{Name}' has no output bound.");

    protected OperatorContext Context { get; private set; } = null!;

    /// <summary>The outputs the operator may emit tagged records to, besides <see cref="Output"/>.</summary>
    protected SideOutputs SideOutputs { get; private set; } = SideOutputs.None;

    /// <summary>Connects the operator to what follows it; done once, when the chain is assembled.</summary>
    public void Bind(IOutput<TOut> output, SideOutputs? sideOutputs = null)
    {
        _output = output;
        SideOutputs = sideOutputs ?? SideOutputs.None;
    }

    public virtual void Open(OperatorContext context) => Context = context;

    public virtual void ProcessWatermark(long watermark) => Output.EmitWatermark(watermark);

    /// <summary>The input went idle or became active again; by default the news is passed on.</summary>
    public virtual void ProcessIdle(bool idle) => Output.EmitIdle(idle);

    public virtual void OnProcessingTime(long now) { }

    public virtual void Finish() { }

    public virtual ValueTask CloseAsync() => ValueTask.CompletedTask;
}
