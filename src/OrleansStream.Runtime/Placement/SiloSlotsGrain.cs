using Microsoft.Extensions.Options;
using OrleansStream.Contracts.Cluster;
using OrleansStream.Runtime.Hosting;

namespace OrleansStream.Runtime.Placement;

[TaskSlotPlacement]
internal sealed class SiloSlotsGrain(IOptions<SlotOptions> options, SiloDrain drain) : Grain, ISiloSlotsGrain
{
    /// <summary>The silo's slots; none once it drains, so that nothing is placed on a silo about to leave.</summary>
    public Task<int> GetSlotCountAsync() => Task.FromResult(drain.IsDraining ? 0 : options.Value.Slots);
}
