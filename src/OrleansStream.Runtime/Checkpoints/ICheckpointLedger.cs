using OrleansStream.Contracts.Checkpoints;

namespace OrleansStream.Runtime.Checkpoints;

/// <summary>
/// The durable part of a job's checkpointing, kept in the job's record: the next id, the completed
/// checkpoints retained for recovery, the savepoints and the counts. The coordinator changes it and has
/// the job grain persist it.
/// </summary>
internal interface ICheckpointLedger
{
    /// <summary>The id the next checkpoint or savepoint gets; ids only grow, across attempts.</summary>
    long NextCheckpointId { get; set; }

    /// <summary>Completed checkpoints kept for recovery, oldest first.</summary>
    List<CompletedCheckpointInfo> Retained { get; }

    List<CompletedCheckpointInfo> Savepoints { get; }

    long CompletedCheckpoints { get; set; }

    long FailedCheckpoints { get; set; }
}
