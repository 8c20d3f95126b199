namespace OrleansStream.Runtime.Checkpoints;

/// <summary>
/// Checkpoint barrier <paramref name="CheckpointId"/>: travels in-band on every channel; what a channel
/// carried before it belongs to the checkpoint, what follows does not.
/// </summary>
[GenerateSerializer, Immutable, Alias("orleansstream.checkpoint-barrier")]
public sealed record CheckpointBarrier([property: Id(0)] long CheckpointId, [property: Id(1)] CheckpointOptions Options);
