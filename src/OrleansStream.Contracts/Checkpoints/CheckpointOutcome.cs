namespace OrleansStream.Contracts.Checkpoints;

[GenerateSerializer]
public enum CheckpointOutcomeState
{
    InProgress,
    Completed,
    Failed,
}

/// <summary>What became of a triggered checkpoint or savepoint.</summary>
[GenerateSerializer, Immutable, Alias("orleansstream.checkpoint-outcome")]
public sealed record CheckpointOutcome(
    [property: Id(0)] long Id,
    [property: Id(1)] CheckpointOutcomeState State,
    [property: Id(2)] string? Pointer,
    [property: Id(3)] string? Failure);
