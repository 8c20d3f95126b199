using Orleans.Runtime.Placement;

namespace OrleansStream.Contracts.Cluster;

/// <summary>
/// Sets the placement hint for the calls made inside a scope: a grain placed by task-slot placement
/// that these calls activate goes to the hinted silo.
/// </summary>
public readonly struct PlacementHint : IDisposable
{
    private PlacementHint(SiloAddress silo) => RequestContext.Set(IPlacementDirector.PlacementHintKey, silo);

    /// <summary>Calls started before <see cref="Dispose"/> activate their grain (if new) on <paramref name="silo"/>.</summary>
    public static PlacementHint On(SiloAddress silo) => new(silo);

    public void Dispose() => RequestContext.Remove(IPlacementDirector.PlacementHintKey);
}
