namespace OrleansStream.Runtime.Checkpoints;

/// <summary>What the checkpoint coordinator stores: the metadata of completed checkpoints, and what it deletes.</summary>
internal interface ICheckpointStorage
{
    Task WriteCheckpointAsync(CheckpointMetadata metadata, CancellationToken cancellationToken);

    Task<CheckpointMetadata?> ReadCheckpointAsync(string jobId, long checkpointId, CancellationToken cancellationToken);

    /// <summary>Deletes a completed checkpoint: its chunks, then its metadata.</summary>
    Task DeleteCheckpointAsync(CheckpointMetadata metadata, CancellationToken cancellationToken);

    /// <summary>Deletes, in the background, the chunks of a snapshot that no completed checkpoint refers to; a failure is logged.</summary>
    void Discard(IEnumerable<KeyedStateHandle> chunks);
}
