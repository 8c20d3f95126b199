namespace OrleansStream.Api.Connectors;

/// <summary>A pre-committed transaction of one sink subtask, as stored in a checkpoint until it is committed.</summary>
/// <param name="CheckpointId">The checkpoint whose barrier closed the transaction.</param>
/// <param name="Subtask">The subtask that wrote it.</param>
/// <param name="Attempt">The attempt that wrote it.</param>
/// <param name="Data">What the sink's writer returned from <see cref="ITransactionalSinkWriter{T}.PrepareCommit"/>.</param>
public sealed record SinkCommittable(long CheckpointId, int Subtask, int Attempt, byte[] Data);
