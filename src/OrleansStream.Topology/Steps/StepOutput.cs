using OrleansStream.Api;
using OrleansStream.Connectors.Files;
using OrleansStream.Topology.Rows;

namespace OrleansStream.Topology.Steps;

/// <summary>What a step produces for the steps that read it.</summary>
internal abstract record StepOutput(string StepName, int? Parallelism);

/// <summary>Lines of text from a source, with where each came from (file and line number when the source knows them).</summary>
internal sealed record LineOutput(DataStream<TextLine> Stream, string StepName, int? Parallelism) : StepOutput(StepName, Parallelism);

/// <summary>Rows of a known schema; <paramref name="HasEventTime"/> once a watermarks step gave them timestamps.</summary>
internal sealed record RowOutput(DataStream<Row> Stream, RowSchema Schema, bool HasEventTime, string StepName, int? Parallelism)
    : StepOutput(StepName, Parallelism);

/// <summary>A sink: nothing reads it.</summary>
internal sealed record SinkOutput(string StepName) : StepOutput(StepName, null);
