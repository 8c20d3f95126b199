using Orleans.Runtime.Placement;

namespace OrleansStream.Runtime.Placement;

/// <summary>Sets the placement hint for the calls made inside a scope.</summary>
internal readonly struct PlacementHint : IDisposable
{
    private PlacementHint(SiloAddress silo) => RequestContext.Set(IPlacementDirector.PlacementHintKey, silo);

    /// <summary>Calls started before <see cref="Dispose"/> activate their grain (if new) on <paramref name="silo"/>.</summary>
    public static PlacementHint On(SiloAddress silo) => new(silo);

    public void Dispose() => RequestContext.Remove(IPlacementDirector.PlacementHintKey);
}
