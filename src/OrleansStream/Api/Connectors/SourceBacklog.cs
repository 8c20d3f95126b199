namespace OrleansStream.Api.Connectors;

/// <summary>
/// What a source reader has yet to read, in Flink's source metric names (FLIP-33): <see cref="PendingRecords"/> and
/// <see cref="PendingBytes"/> (null where the reader cannot tell without reading it), and <see cref="PendingSplits"/>,
/// the splits it has not finished. The autoscaler sizes sources by it: a backlog, not busy time, says how many readers
/// a source needs, and more readers than unfinished splits would idle.
/// </summary>
public readonly record struct SourceBacklog(long? PendingRecords, long? PendingBytes, int PendingSplits);
