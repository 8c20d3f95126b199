using OrleansStream.Topology.Sinks;

namespace OrleansStream.Topology.Steps;

/// <summary><c>type: sink</c>: writes the rows with a connector (see <see cref="RowSinks"/>).</summary>
internal static class SinkStep
{
    public static SinkOutput Add(StepContext step)
    {
        var input = step.Rows();
        RowSinks.Add(input.Stream, step.Step, input.Schema, step.Name);
        return new SinkOutput(step.Name);
    }
}
