namespace OrleansStream.Connectors;

/// <summary>A destination for records. Each sink subtask writes through its own writer.</summary>
public interface ISink<in T>
{
    /// <summary>A parallelism the sink requires (1 for a single merged file), or null for any.</summary>
    int? RequiredParallelism { get; }

    ISinkWriter<T> CreateWriter(SinkContext context);
}

/// <summary>What a sink subtask knows when it opens.</summary>
/// <param name="JobId">The job's id; unique in the cluster.</param>
/// <param name="OperatorId">The sink operator's stable id within the job (its uid), the same across attempts and rescaling.</param>
/// <param name="SubtaskIndex">This subtask's index.</param>
/// <param name="Parallelism">How many subtasks the sink has in this attempt.</param>
/// <param name="Attempt">The job attempt, from 1; a restarted job runs under a higher attempt.</param>
public sealed record SinkContext(string JobId, string OperatorId, int SubtaskIndex, int Parallelism, int Attempt);

/// <summary>Writes one subtask's records. Writes are buffered; <see cref="Flush"/> makes them visible.</summary>
public interface ISinkWriter<in T> : IAsyncDisposable
{
    void Write(T value, long timestamp);

    void Flush();
}

/// <summary>
/// A sink whose output becomes visible only when a checkpoint completes (Flink's two-phase commit sink):
/// its writers implement <see cref="ITransactionalSinkWriter{T}"/> and stage what they write; at each
/// checkpoint barrier the staged transaction is pre-committed and handed over as a
/// <see cref="SinkCommittable"/>, which the checkpoint stores; when the checkpoint completes the
/// committer makes it visible. After a failure the job restores the committables of its last completed
/// checkpoint and commits them again, so commits must be idempotent; staged data of later, incomplete
/// checkpoints is never committed, so nothing is written twice.
/// </summary>
public interface ITransactionalSink<in T> : ISink<T>
{
    ISinkCommitter CreateCommitter(SinkContext context);
}

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

/// <summary>Makes pre-committed transactions visible.</summary>
public interface ISinkCommitter : IAsyncDisposable
{
    /// <summary>
    /// Commits <paramref name="committable"/>. Idempotent: the same committable may be committed again after a
    /// failure (also by another subtask after rescaling), and committing it twice must leave one copy.
    /// </summary>
    ValueTask CommitAsync(SinkCommittable committable, CancellationToken cancellationToken);
}

/// <summary>A pre-committed transaction of one sink subtask, as stored in a checkpoint until it is committed.</summary>
/// <param name="CheckpointId">The checkpoint whose barrier closed the transaction.</param>
/// <param name="Subtask">The subtask that wrote it.</param>
/// <param name="Attempt">The attempt that wrote it.</param>
/// <param name="Data">What the sink's writer returned from <see cref="ITransactionalSinkWriter{T}.PrepareCommit"/>.</param>
public sealed record SinkCommittable(long CheckpointId, int Subtask, int Attempt, byte[] Data);
