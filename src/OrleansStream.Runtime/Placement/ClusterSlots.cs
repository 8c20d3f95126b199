using Microsoft.Extensions.Logging;
using OrleansStream.Contracts.Cluster;
using OrleansStream.Contracts.Jobs;

namespace OrleansStream.Runtime.Placement;

/// <summary>The task slots of the cluster's active silos, as each silo reports them (Flink's resource manager view).</summary>
internal sealed class ClusterSlots(IClusterMembershipService membership, IGrainFactory grains, ILogger<ClusterSlots> logger)
{
    private static readonly TimeSpan SlotQueryTimeout = TimeSpan.FromSeconds(2);

    /// <summary>Every active silo that answers with its slot count; one that does not answer in time gets no tasks.</summary>
    public async Task<IReadOnlyList<SiloSlots>> QueryAsync(string jobId)
    {
        var silos = membership.CurrentSnapshot.Members.Values
            .Where(m => m.Status == SiloStatus.Active)
            .Select(m => m.SiloAddress)
            .ToList();
        var counts = await Task.WhenAll(silos.Select(async silo =>
        {
            try
            {
                return new SiloSlots(silo, await grains.GetSlotCountAsync(silo, SlotQueryTimeout));
            }
            catch (Exception ex)
            {
                // A silo that crashed is still listed as active until membership declares it dead;
                // placing tasks there would only fail the restart.
                logger.LogWarning("Job {JobId}: silo {Silo} did not report its slots and gets no tasks: {Error}", jobId, silo, ex.GetBaseException().Message);
                return (SiloSlots?)null;
            }
        }));
        return counts.OfType<SiloSlots>().ToList();
    }

    /// <summary>
    /// The slots of the active silos and how many of them the other jobs that have not ended hold (as the job list says):
    /// what a new or adaptive job may take. A job holds its slots from its submission until it ends, idle or not.
    /// </summary>
    public async Task<SlotCapacity> CapacityForAsync(string jobId)
    {
        var silos = await QueryAsync(jobId);
        var jobs = await grains.GetGrain<IJobRegistryGrain>(IJobRegistryGrain.Key).ListAsync();
        int usedByOthers = jobs.Where(job => !job.IsTerminal && job.JobId != jobId).Sum(job => job.Parallelism);
        return new SlotCapacity(silos, usedByOthers);
    }

    /// <summary>The first of <paramref name="silos"/> that membership no longer lists as active, if any.</summary>
    public SiloAddress? FirstLost(IEnumerable<SiloAddress> silos)
    {
        var snapshot = membership.CurrentSnapshot;
        return silos.Distinct().FirstOrDefault(silo => snapshot.GetSiloStatus(silo) != SiloStatus.Active);
    }
}

/// <summary>The task slots of the cluster's active silos, and how many of them other jobs use.</summary>
internal sealed record SlotCapacity(IReadOnlyList<SiloSlots> Silos, int UsedByOthers)
{
    public int Total => Silos.Sum(s => s.Slots);

    /// <summary>The slots a job may use: all but those the others use.</summary>
    public int Free => Math.Max(0, Total - UsedByOthers);
}
