using OrleansStream.Contracts.Artifacts;
using OrleansStream.Contracts.Jobs;
using OrleansStream.Contracts.Rescaling;

namespace OrleansStream.Client;

/// <summary>
/// What a user does with an OrleansStream cluster: submit jobs, list and follow them, take
/// savepoints, stop and cancel them. Failures come as <see cref="StreamClientException"/>s that
/// say what to do, or <see cref="SavepointFailedException"/> for a savepoint that did not complete.
/// </summary>
public interface IStreamClient
{
    /// <summary>Submits a job and returns its status once it is deployed. Throws <see cref="InvalidJobException"/> or <see cref="NotEnoughSlotsException"/> when the cluster refuses it.</summary>
    Task<JobStatus> SubmitAsync(JobSubmission submission, string? jobId = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Uploads a job assembly into the cluster's checkpoint storage (once: the same bytes are not sent
    /// again) for <see cref="JobSubmission.ForArtifact"/>. Throws <see cref="InvalidJobException"/> for
    /// bytes that are not a .NET assembly.
    /// </summary>
    Task<JobArtifact> UploadAssemblyAsync(string fileName, ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default);

    /// <summary>The jobs the cluster knows, running and recently ended, oldest first.</summary>
    Task<IReadOnlyList<JobSummary>> ListJobsAsync(CancellationToken cancellationToken = default);

    /// <summary>A job's state, attempt, vertices with their slots, record counts, rates and watermarks, and checkpoints. Throws <see cref="JobNotFoundException"/>.</summary>
    Task<JobStatus> GetStatusAsync(string jobId, CancellationToken cancellationToken = default);

    /// <summary>Cancels a job (no savepoint) and returns its status. Throws <see cref="JobNotFoundException"/>.</summary>
    Task<JobStatus> CancelAsync(string jobId, CancellationToken cancellationToken = default);

    /// <summary>Takes a savepoint of a running job and returns its pointer (<c>{job}/{id}</c>) for <see cref="JobSubmission.FromSavepoint"/>.</summary>
    Task<string> TriggerSavepointAsync(string jobId, TimeSpan timeout, CancellationToken cancellationToken = default);

    /// <summary>Takes a savepoint, waits for the sinks to commit up to it and stops the job; returns the savepoint's pointer.</summary>
    Task<string> StopWithSavepointAsync(string jobId, TimeSpan timeout, CancellationToken cancellationToken = default);

    /// <summary>
    /// Waits until the job is in one of <paramref name="states"/>, or has ended in another state
    /// (check <see cref="JobStatus.State"/>); <paramref name="progress"/> sees every status polled.
    /// </summary>
    Task<JobStatus> WaitForStateAsync(string jobId, IReadOnlyCollection<JobState> states, IProgress<JobStatus>? progress = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Changes the parallelism of every vertex of a running job that follows the job's default (not those it fixed) to
    /// <paramref name="parallelism"/>, and waits until that is done. Keyed vertices move key groups while the job runs;
    /// other changes restart the job from a savepoint. Throws <see cref="InvalidRescaleException"/> or
    /// <see cref="NotEnoughSlotsException"/> when the cluster refuses it, <see cref="RescaleFailedException"/> when it fails.
    /// </summary>
    Task<RescaleInfo> RescaleAsync(string jobId, int parallelism, TimeSpan timeout, CancellationToken cancellationToken = default);

    /// <summary>As <see cref="RescaleAsync(string, int, TimeSpan, CancellationToken)"/>, per vertex: named by one of its operators.</summary>
    Task<RescaleInfo> RescaleAsync(string jobId, IReadOnlyDictionary<string, int> vertices, TimeSpan timeout, CancellationToken cancellationToken = default);

    /// <summary>As <see cref="RescaleAsync(string, int, TimeSpan, CancellationToken)"/>, as <paramref name="request"/> says: a job-wide and per-vertex parallelism, why.</summary>
    Task<RescaleInfo> RescaleAsync(string jobId, RescaleRequest request, TimeSpan timeout, CancellationToken cancellationToken = default);

    /// <summary>The silos, their task slots and how many of them running jobs use.</summary>
    Task<ClusterOverview> GetClusterAsync(CancellationToken cancellationToken = default);
}
