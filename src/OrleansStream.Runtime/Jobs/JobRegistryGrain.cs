using OrleansStream.Contracts.Jobs;
using OrleansStream.Contracts.Security;
using OrleansStream.Runtime.Storage;

namespace OrleansStream.Runtime.Jobs;

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
        => Task.FromResult<IReadOnlyList<JobSummary>>(stored.State.Jobs.Values.Where(j => Caller.CanSee(j.Owner)).OrderBy(j => j.SubmittedAt).ToList());
}

[GenerateSerializer, Alias("orleansstream.job-registry-state")]
internal sealed class JobRegistryState
{
    [Id(0)] public Dictionary<string, JobSummary> Jobs { get; set; } = new();
}
