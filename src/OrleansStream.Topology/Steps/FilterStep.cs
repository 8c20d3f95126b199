using OrleansStream.Topology.Expressions;
using OrleansStream.Topology.Rows;

namespace OrleansStream.Topology.Steps;

/// <summary><c>type: filter</c>: keeps the rows for which <c>expression</c> (a condition over their fields) is true.</summary>
internal static class FilterStep
{
    public static RowOutput Add(StepContext step)
    {
        var input = step.Rows();
        var compiler = new RowExpressions(input.Schema);
        var parsed = compiler.Parse(step.Step.RequiredScalar("expression"), typeof(bool));
        int? parallelism = step.InheritedParallelism;
        if (parsed is null)
        {
            // Deferred while validating: the rows are the same either way, so validation goes on.
            return input with { StepName = step.Name, Parallelism = parallelism };
        }

        var predicate = compiler.Compile<bool>(parsed);
        var filtered = StepContext.WithParallelism(input.Stream.Filter(predicate, step.Name).Uid(step.Name), parallelism).WithCodec(new RowCodec(input.Schema));
        return input with { Stream = filtered, StepName = step.Name, Parallelism = parallelism };
    }
}
