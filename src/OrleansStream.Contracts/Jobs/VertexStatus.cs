namespace OrleansStream.Contracts.Jobs;

/// <summary>One vertex of a running job: where its subtasks run and how far they are.</summary>
[GenerateSerializer, Immutable, Alias("orleansstream.vertex-status")]
public sealed record VertexStatus(
    [property: Id(0)] int Id,
    [property: Id(1)] string Name,
    [property: Id(2)] int Parallelism,
    [property: Id(3)] IReadOnlyList<string> Slots,
    [property: Id(4)] int FinishedSubtasks,
    [property: Id(5)] IReadOnlyList<OperatorMetrics> Operators,
    [property: Id(6)] long? Watermark = null,
    [property: Id(7)] TaskTimeMetrics? Time = null,
    [property: Id(8)] SourceBacklogMetrics? Backlog = null);
