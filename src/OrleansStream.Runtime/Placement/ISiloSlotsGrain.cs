namespace OrleansStream.Runtime.Placement;

/// <summary>
/// One per silo, activated on that silo: tells how many task slots the silo offers. Keyed by the
/// silo address; the job grain calls it with the silo as placement hint.
/// </summary>
public interface ISiloSlotsGrain : IGrainWithStringKey
{
    Task<int> GetSlotCountAsync();
}

[TaskSlotPlacement]
internal sealed class SiloSlotsGrain(Microsoft.Extensions.Options.IOptions<Hosting.SlotOptions> options) : Grain, ISiloSlotsGrain
{
    public Task<int> GetSlotCountAsync() => Task.FromResult(options.Value.Slots);
}
