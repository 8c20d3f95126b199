namespace OrleansStream.Contracts.Checkpoints;

/// <summary>The checkpointing side of a job's status.</summary>
[GenerateSerializer, Immutable, Alias("orleansstream.checkpoint-status")]
public sealed record CheckpointStatus(
    [property: Id(0)] long Completed,
    [property: Id(1)] long Failed,
    [property: Id(2)] long? InProgress,
    [property: Id(3)] CompletedCheckpointInfo? Latest,
    [property: Id(4)] IReadOnlyList<CompletedCheckpointInfo> Savepoints,
    [property: Id(5)] string? RestoredFrom,
    [property: Id(6)] int Restarts,
    [property: Id(7)] string? LastFailure)
{
    /// <summary>The status of a job that was never submitted.</summary>
    public static CheckpointStatus None { get; } = new(0, 0, null, null, Array.Empty<CompletedCheckpointInfo>(), null, 0, null);
}
