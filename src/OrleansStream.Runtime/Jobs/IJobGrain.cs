using Orleans.Concurrency;
using OrleansStream.Runtime.Checkpoints;
using OrleansStream.Runtime.Tasks;

namespace OrleansStream.Runtime.Jobs;

/// <summary>
/// One per job (Flink's JobManager for that job): deploys the tasks, coordinates checkpoints,
/// restarts the job from its last checkpoint when it fails, ends the job.
/// </summary>
public interface IJobGrain : IGrainWithStringKey
{
    /// <summary>Validates, places and starts the job. Throws <see cref="JobSubmissionException"/> or <see cref="Placement.InsufficientSlotsException"/> if it cannot run.</summary>
    Task<JobStatus> SubmitAsync(JobSubmission submission);

    [AlwaysInterleave]
    Task<JobStatus> GetStatusAsync();

    Task CancelAsync();

    /// <summary>
    /// Starts a savepoint and returns its id; <see cref="GetCheckpointAsync"/> tells when it is complete.
    /// With <paramref name="stopAfter"/> the job stops once the savepoint is complete (and its sinks committed).
    /// </summary>
    Task<long> TriggerSavepointAsync(bool stopAfter);

    [AlwaysInterleave]
    Task<CheckpointOutcome?> GetCheckpointAsync(long checkpointId);

    /// <summary>True while <paramref name="attempt"/> is the job's running attempt; a task of any other attempt stops itself.</summary>
    [AlwaysInterleave]
    Task<bool> IsAttemptRunningAsync(int attempt);

    /// <summary>A running task's counts, rates and watermark (what status shows while the job runs).</summary>
    [OneWay]
    Task ReportProgressAsync(TaskReport report);

    [OneWay]
    Task OnTaskFinishedAsync(TaskReport report);

    [OneWay]
    Task OnTaskFailedAsync(TaskReport report, string error);

    [OneWay]
    Task AcknowledgeCheckpointAsync(TaskId task, long checkpointId, TaskSnapshot snapshot);

    [OneWay]
    Task DeclineCheckpointAsync(TaskId task, long checkpointId, string reason);
}
