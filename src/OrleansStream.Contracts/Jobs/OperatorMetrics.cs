namespace OrleansStream.Contracts.Jobs;

/// <summary>Records counted by one operator, summed over its subtasks, and their rates over the last reporting interval.</summary>
[GenerateSerializer, Immutable, Alias("orleansstream.operator-metrics")]
public sealed record OperatorMetrics(
    [property: Id(0)] string Name,
    [property: Id(1)] long RecordsIn,
    [property: Id(2)] long RecordsOut,
    [property: Id(3)] double RecordsInPerSecond = 0,
    [property: Id(4)] double RecordsOutPerSecond = 0);
