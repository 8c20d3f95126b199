namespace OrleansStream.Api.Connectors;

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
