using OrleansStream.Contracts.Jobs;

namespace OrleansStream.Runtime.Tasks;

/// <summary>What a task tells its job grain while it runs (every metrics interval) and when it ends.</summary>
[GenerateSerializer, Immutable, Alias("orleansstream.task-report")]
internal sealed record TaskReport(
    [property: Id(0)] TaskId Task,
    [property: Id(1)] IReadOnlyList<OperatorMetrics> Operators,
    [property: Id(2)] long? Watermark = null,
    [property: Id(3)] TaskTimeMetrics? Time = null,
    [property: Id(4)] SourceBacklogMetrics? Backlog = null,
    [property: Id(5)] string? InputMark = null);
