using Orleans.Concurrency;
using OrleansStream.Contracts.Checkpoints;
using OrleansStream.Contracts.Rescaling;
using OrleansStream.Contracts.Security;

namespace OrleansStream.Contracts.Jobs;

/// <summary>
/// One per job, keyed by the job's id (Flink's JobManager for that job), as a client sees it: submit
/// the job, follow it, take savepoints, cancel it.
/// </summary>
public interface IJobGrain : IGrainWithStringKey
{
    /// <summary>
    /// Validates, places and starts the job. Throws <see cref="JobSubmissionException"/> or
    /// <see cref="Cluster.InsufficientSlotsException"/> if it cannot run.
    /// </summary>
    [RequiresRole(ClusterRoles.Submit)]
    Task<JobStatus> SubmitAsync(JobSubmission submission);

    [AlwaysInterleave]
    [RequiresRole(ClusterRoles.Read)]
    Task<JobStatus> GetStatusAsync();

    [RequiresRole(ClusterRoles.Operate)]
    Task CancelAsync();

    /// <summary>
    /// Starts a savepoint and returns its id; <see cref="GetCheckpointAsync"/> tells when it is complete.
    /// With <paramref name="stopAfter"/> the job stops once the savepoint is complete (and its sinks committed).
    /// Throws <see cref="JobStateException"/> when the job does not run or already waits for a savepoint.
    /// </summary>
    [RequiresRole(ClusterRoles.Operate)]
    Task<long> TriggerSavepointAsync(bool stopAfter);

    [AlwaysInterleave]
    [RequiresRole(ClusterRoles.Read)]
    Task<CheckpointOutcome?> GetCheckpointAsync(long checkpointId);

    /// <summary>
    /// Starts changing the parallelism of the running job and returns the rescale in progress; the job's status
    /// (<see cref="JobStatus.Rescales"/>) follows it to the end. Key groups move live where they can; otherwise the
    /// job restarts from a savepoint at the new parallelism. Throws <see cref="Rescaling.RescaleRefusedException"/>
    /// for a parallelism a vertex cannot take, <see cref="Cluster.InsufficientSlotsException"/> when the cluster
    /// lacks slots, and <see cref="JobStateException"/> when the job does not run or already rescales.
    /// </summary>
    [RequiresRole(ClusterRoles.Operate)]
    Task<RescaleInfo> RescaleAsync(RescaleRequest request);
}
