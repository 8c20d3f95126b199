namespace OrleansStream.Api.Connectors;

/// <summary>Reads the splits assigned to one source subtask.</summary>
public interface ISourceReader<T> : IAsyncDisposable
{
    /// <summary>Emits at most <paramref name="maxRecords"/> records; never blocks waiting for input.</summary>
    ValueTask<ReadStatus> ReadAsync(ISourceOutput<T> output, int maxRecords, CancellationToken cancellationToken);

    /// <summary>
    /// The reader's splits with the progress made up to the last record emitted, taken when a checkpoint
    /// barrier passes the source. A reader created from them emits exactly the records after that point.
    /// Splits that are exhausted are still returned (marked as finished) so that a restored job does not
    /// read them again.
    /// </summary>
    IReadOnlyList<SourceSplit> SnapshotSplits();

    /// <summary>
    /// What is left to read, as far as the reader knows without blocking (it may be a few seconds old), or null when
    /// it cannot tell (a socket). Read between calls to <see cref="ReadAsync"/>, on the same turn.
    /// </summary>
    SourceBacklog? Backlog => null;

    /// <summary>Checkpoint <paramref name="checkpointId"/> is durable; e.g. a queue may be acknowledged up to it.</summary>
    ValueTask NotifyCheckpointCompleteAsync(long checkpointId, CancellationToken cancellationToken) => ValueTask.CompletedTask;
}
