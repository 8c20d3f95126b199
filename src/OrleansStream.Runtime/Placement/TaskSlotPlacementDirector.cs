using Orleans.Runtime.Placement;

namespace OrleansStream.Runtime.Placement;

/// <summary>
/// Puts the grain on the silo named by the placement hint. Without a hint (a stray message after a
/// task ended) the grain activates locally, finds it has no deployment and ignores the message.
/// </summary>
internal sealed class TaskSlotPlacementDirector : IPlacementDirector
{
    public Task<SiloAddress> OnAddActivation(PlacementStrategy strategy, PlacementTarget target, IPlacementContext context)
    {
        var compatible = context.GetCompatibleSilos(target);
        if (target.RequestContextData is { } data
            && data.TryGetValue(IPlacementDirector.PlacementHintKey, out var value)
            && value is SiloAddress hint)
        {
            if (!compatible.Contains(hint))
            {
                throw new OrleansException($"Cannot place {target.GrainIdentity} in its task slot: silo {hint} is not an active silo that can host it.");
            }

            return Task.FromResult(hint);
        }

        return Task.FromResult(compatible.Contains(context.LocalSilo) ? context.LocalSilo : compatible[0]);
    }
}
