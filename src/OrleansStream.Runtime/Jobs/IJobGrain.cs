using Orleans.Concurrency;

namespace OrleansStream.Runtime.Jobs;

/// <summary>One per job (Flink's JobManager for that job): deploys the tasks, tracks them, ends the job.</summary>
public interface IJobGrain : IGrainWithStringKey
{
    /// <summary>Validates, places and starts the job. Throws <see cref="JobSubmissionException"/> or <see cref="Placement.InsufficientSlotsException"/> if it cannot run.</summary>
    Task<JobStatus> SubmitAsync(JobSubmission submission);

    [AlwaysInterleave]
    Task<JobStatus> GetStatusAsync();

    Task CancelAsync();

    [OneWay]
    Task OnTaskFinishedAsync(TaskReport report);

    [OneWay]
    Task OnTaskFailedAsync(TaskReport report, string error);
}
