namespace OrleansStream.Api.Connectors;

/// <summary>The writer of a <see cref="ITransactionalSink{T}"/>.</summary>
public interface ITransactionalSinkWriter<in T> : ISinkWriter<T>
{
    /// <summary>
    /// Pre-commits what was written since the previous call (the transaction of checkpoint
    /// <paramref name="checkpointId"/>): it must be durable but not yet visible. Returns what the committer
    /// needs to make it visible, or null when nothing was written.
    /// </summary>
    byte[]? PrepareCommit(long checkpointId);
}
