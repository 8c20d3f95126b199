using OrleansStream.Time;
using OrleansStream.Topology.Rows;

namespace OrleansStream.Topology.Steps;

/// <summary>
/// <c>type: watermarks</c>: takes each row's event time from the <c>timestamp</c> field (a timestamp, or a long of
/// epoch milliseconds) and emits watermarks that trail the newest time by <c>outOfOrderness</c>; <c>idleness</c>
/// marks a silent subtask idle; <c>emit: per-record</c> makes late data depend on the order of rows alone.
/// </summary>
internal static class WatermarksStep
{
    public static RowOutput Add(StepContext step)
    {
        var input = step.Rows();
        var field = StepContext.Known(step.Step.RequiredScalar("timestamp"));
        int index = input.Schema.IndexOf(field.Text!);
        if (index < 0)
        {
            throw field.Error($"'{field.Text}' is not a field here (fields: {input.Schema.Describe()})");
        }

        if (input.Schema[index].Type is not (FieldType.Timestamp or FieldType.Long))
        {
            throw field.Error($"'{field.Text}' is a {input.Schema[index].Type.Name()}; event time needs a timestamp (or a long of epoch milliseconds)");
        }

        var strategy = WatermarkStrategy<Row>
            .ForBoundedOutOfOrderness(step.Step.Scalar("outOfOrderness")?.Duration(allowZero: true) ?? TimeSpan.Zero)
            .WithTimestampAssigner(row => row.GetTimestamp(index));
        if (step.Step.Scalar("idleness") is { } idleness)
        {
            strategy = strategy.WithIdleness(idleness.Duration(allowZero: false));
        }

        if ((step.Step.Scalar("emit")?.Choice("periodic", "per-record") ?? "periodic") == "per-record")
        {
            strategy = strategy.WithPerRecordEmission();
        }

        int? parallelism = step.InheritedParallelism;
        var stream = StepContext.WithParallelism(input.Stream.AssignTimestampsAndWatermarks(strategy, step.Name).Uid(step.Name), parallelism).WithCodec(new RowCodec(input.Schema));
        return input with { Stream = stream, HasEventTime = true, StepName = step.Name, Parallelism = parallelism };
    }
}
