using Microsoft.Extensions.Options;
using OrleansStream.Contracts.Cluster;
using OrleansStream.Runtime.Hosting;

namespace OrleansStream.Runtime.Placement;

[TaskSlotPlacement]
internal sealed class SiloSlotsGrain(IOptions<SlotOptions> options) : Grain, ISiloSlotsGrain
{
    public Task<int> GetSlotCountAsync() => Task.FromResult(options.Value.Slots);
}
