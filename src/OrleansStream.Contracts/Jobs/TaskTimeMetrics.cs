namespace OrleansStream.Contracts.Jobs;

/// <summary>
/// Where a subtask's (or, averaged, a vertex's) time went over the last second, in Flink's names: busy running its
/// operators, backpressured waiting for room downstream, idle waiting for input. Each from 0 to 1000.
/// </summary>
[GenerateSerializer, Immutable, Alias("orleansstream.task-time")]
public sealed record TaskTimeMetrics(
    [property: Id(0)] double BusyTimeMsPerSecond,
    [property: Id(1)] double BackPressuredTimeMsPerSecond,
    [property: Id(2)] double IdleTimeMsPerSecond);
