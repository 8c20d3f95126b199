using OrleansStream.Operators;

namespace OrleansStream.Graph;

/// <summary>
/// A keyed operator that must run as one subtask, as Flink's non-keyed windows (windowAll) do: its input is
/// keyed by a constant so that it can keep keyed state and timers, and its parallelism is fixed at one.
/// </summary>
public sealed class NonParallelKeyedTransformation<TIn, TOut> : OneInputTransformation<TIn, TOut>, IKeyedTransformation
{
    internal NonParallelKeyedTransformation(int id, string name, Transformation<TIn> input, Func<string, OneInputOperator<TIn, TOut>> factory)
        : base(id, name, input, factory)
    {
        Factory = factory;
    }

    /// <summary>Creates the operator of one subtask.</summary>
    internal Func<string, OneInputOperator<TIn, TOut>> Factory { get; }

    public override int? RequiredParallelism => 1;
}
