namespace OrleansStream.Contracts.Jobs;

/// <summary>
/// What a source subtask (or, summed, a source vertex) has yet to read, in Flink's names: pending records and bytes
/// (null where the source cannot tell without reading), and the splits not finished.
/// </summary>
[GenerateSerializer, Immutable, Alias("orleansstream.source-backlog")]
public sealed record SourceBacklogMetrics(
    [property: Id(0)] long? PendingRecords,
    [property: Id(1)] long? PendingBytes,
    [property: Id(2)] int PendingSplits);
