using Microsoft.Extensions.Logging;
using OrleansStream.Contracts.Jobs;

namespace OrleansStream.Runtime.Jobs;

/// <summary>
/// When a silo has joined, looks in on every job the cluster's job list shows as not ended, which activates each job
/// grain that no silo holds: after the whole cluster was down (a Deployment scaled to zero and back, say), running
/// jobs restart from their last checkpoint and idle jobs watch their input again at once, instead of when their
/// supervision reminder next fires (a minute). A job grain that is active already just answers. In the background:
/// the silo's start does not wait for it.
/// </summary>
internal sealed class JobResumption(IGrainFactory grains, ILogger<JobResumption> logger) : ILifecycleParticipant<ISiloLifecycle>
{
    public void Participate(ISiloLifecycle lifecycle)
        => lifecycle.Subscribe(nameof(JobResumption), ServiceLifecycleStage.Active, OnStartAsync, _ => Task.CompletedTask);

    private Task OnStartAsync(CancellationToken cancellationToken)
    {
        _ = LookInAsync();
        return Task.CompletedTask;
    }

    private async Task LookInAsync()
    {
        try
        {
            var jobs = (await grains.GetGrain<IJobRegistryGrain>(IJobRegistryGrain.Key).ListAsync()).Where(job => !job.IsTerminal).ToList();
            await Task.WhenAll(jobs.Select(job => grains.GetGrain<IJobGrain>(job.JobId).GetStatusAsync()));
            if (jobs.Count > 0)
            {
                logger.LogInformation("Looked in on {Count} job(s) that have not ended: {Jobs}", jobs.Count, string.Join(", ", jobs.Select(j => $"{j.JobId} ({j.State})")));
            }
        }
        catch (Exception ex)
        {
            // Their reminders pick them up anyway.
            logger.LogWarning("Could not look in on the cluster's jobs at start: {Error}", ex.GetBaseException().Message);
        }
    }
}
