namespace OrleansStream.Operators;

/// <summary>
/// Base of operators with one input: records arrive through <see cref="IOutput{TIn}"/> (the upstream
/// operator's output is this operator) and leave through <see cref="StreamOperator{TOut}.Output"/>.
/// </summary>
public abstract class OneInputOperator<TIn, TOut> : StreamOperator<TOut>, IOutput<TIn>
{
    protected OneInputOperator(string name) : base(name) { }

    public abstract void ProcessElement(TIn value, long timestamp);

    void IOutput<TIn>.Collect(TIn value, long timestamp)
    {
        RecordsInCount++;
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
