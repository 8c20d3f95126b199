using OrleansStream.Contracts.Security;

namespace OrleansStream.Contracts.Cluster;

/// <summary>
/// One per silo, activated on that silo: tells how many task slots the silo offers. Keyed by the
/// silo address; callers pass the silo as placement hint (<see cref="SiloSlotsQuery"/>).
/// </summary>
public interface ISiloSlotsGrain : IGrainWithStringKey
{
    [RequiresRole(ClusterRoles.Read)]
    Task<int> GetSlotCountAsync();
}
