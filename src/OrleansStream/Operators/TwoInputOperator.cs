namespace OrleansStream.Operators;

/// <summary>
/// Base of operators with two inputs (connected streams, joins): records of each input arrive through
/// <see cref="Input1"/> and <see cref="Input2"/>. A two-input operator always heads its task, whose input
/// gate combines the watermarks of both inputs (the minimum) before they reach <see cref="StreamOperator{TOut}.ProcessWatermark"/>.
/// </summary>
public abstract class TwoInputOperator<TIn1, TIn2, TOut> : StreamOperator<TOut>
{
    protected TwoInputOperator(string name) : base(name)
    {
        Input1 = new InputPort<TIn1>(this, ProcessElement1);
        Input2 = new InputPort<TIn2>(this, ProcessElement2);
    }

    /// <summary>Where the records of the first input arrive.</summary>
    public IOutput<TIn1> Input1 { get; }

    /// <summary>Where the records of the second input arrive.</summary>
    public IOutput<TIn2> Input2 { get; }

    public abstract void ProcessElement1(TIn1 value, long timestamp);

    public abstract void ProcessElement2(TIn2 value, long timestamp);

    /// <summary>One input of the operator: counts and forwards records, naming the operator when they fail.</summary>
    private sealed class InputPort<T>(TwoInputOperator<TIn1, TIn2, TOut> owner, Action<T, long> process) : IOutput<T>
    {
        public void Collect(T value, long timestamp)
        {
            owner.RecordsInCount++;
            try
            {
                process(value, timestamp);
            }
            catch (Exception ex) when (ex is not OperatorException)
            {
                throw new OperatorException(owner.Name, ex);
            }
        }

        public void EmitWatermark(long watermark) => owner.ProcessWatermark(watermark);

        public void EmitIdle(bool idle) => owner.ProcessIdle(idle);
    }
}
