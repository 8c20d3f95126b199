using Orleans.Concurrency;
using OrleansStream.Contracts.Security;

namespace OrleansStream.Contracts.Jobs;

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
    [RequiresRole(ClusterRoles.Read)]
    Task<IReadOnlyList<JobSummary>> ListAsync();
}
