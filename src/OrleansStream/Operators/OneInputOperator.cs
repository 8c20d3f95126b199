namespace OrleansStream.Operators;

/// <summary>
/// Base of operators with one input: records arrive through <see cref="IOutput{TIn}"/> (the upstream
/// operator's output is this operator) and leave through <see cref="Output"/>.
/// </summary>
public abstract class OneInputOperator<TIn, TOut> : IStreamOperator, IOutput<TIn>, IWatermarkInput
{
    private IOutput<TOut>? _output;
    private long _recordsIn;

    protected OneInputOperator(string name) => Name = name;

    public string Name { get; }

    public long RecordsIn => _recordsIn;

    public virtual long RecordsOut => 0;

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

    public abstract void ProcessElement(TIn value, long timestamp);

    public virtual void ProcessWatermark(long watermark) => Output.EmitWatermark(watermark);

    /// <summary>The input went idle or became active again; by default the news is passed on.</summary>
    public virtual void ProcessIdle(bool idle) => Output.EmitIdle(idle);

    public virtual void OnProcessingTime(long now) { }

    public virtual void Finish() { }

    public virtual ValueTask CloseAsync() => ValueTask.CompletedTask;

    void IOutput<TIn>.Collect(TIn value, long timestamp)
    {
        _recordsIn++;
        try
        {
            ProcessElement(value, timestamp);
        }
        catch (Exception ex) when (ex is not OperatorException)
        {
            throw new OperatorException(Name, ex);
        }
    }

    void IOutput<TIn>.EmitWatermark(long watermark) => ProcessWatermark(watermark);

    void IOutput<TIn>.EmitIdle(bool idle) => ProcessIdle(idle);
}
