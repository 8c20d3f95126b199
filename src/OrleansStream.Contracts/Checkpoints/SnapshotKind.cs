namespace OrleansStream.Contracts.Checkpoints;

/// <summary>Whether a completed snapshot is a periodic checkpoint (retained a while) or a savepoint (kept until deleted by hand).</summary>
[GenerateSerializer]
public enum SnapshotKind
{
    Checkpoint,
    Savepoint,
}
