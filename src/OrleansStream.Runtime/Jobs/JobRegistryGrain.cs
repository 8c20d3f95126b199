using Orleans.Concurrency;
using OrleansStream.Runtime.Storage;

namespace OrleansStream.Runtime.Jobs;

/// <summary>A job as the cluster's job list shows it.</summary>
[GenerateSerializer, Immutable, Alias("orleansstream.job-summary")]
public sealed record JobSummary(
    [property: Id(0)] string JobId,
    [property: Id(1)] string JobName,
    [property: Id(2)] string Definition,
    [property: Id(3)] JobState State,
    [property: Id(4)] DateTimeOffset SubmittedAt,
    [property: Id(5)] DateTimeOffset? EndedAt,
    [property: Id(6)] int Parallelism,
    [property: Id(7)] long Revision = 0)
{
    public bool IsTerminal => State.IsTerminal();
}

/// <summary>
/// The cluster's list of jobs (Flink's job overview), one grain for the cluster, persisted with
/// the checkpoint storage. Job grains tell it what changed when they persist their record, and again
/// when they activate; a summary older than the one kept (a lower revision) is ignored, since calls
/// nobody waits for may arrive out of order. The list can lag behind a job grain that died before it told;
/// clients ask the job grains of jobs the list shows as running.
/// </summary>
public interface IJobRegistryGrain : IGrainWithIntegerKey
{
    /// <summary>The one registry of the cluster.</summary>
    const long Key = 0;

    /// <summary>Keeps <paramref name="job"/> unless a newer summary of it is kept. Job grains do not wait for it.</summary>
    Task UpdateAsync(JobSummary job);

    [ReadOnly]
    Task<IReadOnlyList<JobSummary>> ListAsync();
}

internal sealed class JobRegistryGrain(
    [PersistentState("jobs", OrleansStreamStorage.ProviderName)] IPersistentState<JobRegistryState> stored) : Grain, IJobRegistryGrain
{
    /// <summary>Ended jobs kept in the list, newest first; running jobs are always kept.</summary>
    internal const int RetainedEndedJobs = 1000;

    public async Task UpdateAsync(JobSummary job)
    {
        var jobs = stored.State.Jobs;
        if (jobs.TryGetValue(job.JobId, out var known) && (known.Revision > job.Revision || known == job))
        {
            return;
        }

        jobs[job.JobId] = job;
        var dropped = jobs.Values.Where(j => j.IsTerminal).OrderByDescending(j => j.EndedAt).Skip(RetainedEndedJobs).ToList();
        foreach (var old in dropped)
        {
            jobs.Remove(old.JobId);
        }

        try
        {
            await stored.WriteStateAsync();
        }
        catch
        {
            // Memory must not run ahead of storage: the job grain sends this summary again on its next change or activation.
            await stored.ReadStateAsync();
            throw;
        }
    }

    public Task<IReadOnlyList<JobSummary>> ListAsync()
        => Task.FromResult<IReadOnlyList<JobSummary>>(stored.State.Jobs.Values.OrderBy(j => j.SubmittedAt).ToList());
}

[GenerateSerializer, Alias("orleansstream.job-registry-state")]
internal sealed class JobRegistryState
{
    [Id(0)] public Dictionary<string, JobSummary> Jobs { get; set; } = new();
}
