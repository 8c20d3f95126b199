namespace OrleansStream.Runtime.Placement;

/// <summary>
/// One per silo, activated on that silo: tells how many task slots the silo offers. Keyed by the
/// silo address; the job grain calls it with the silo as placement hint.
/// </summary>
public interface ISiloSlotsGrain : IGrainWithStringKey
{
    Task<int> GetSlotCountAsync();
}

public static class SiloSlotsQuery
{
    /// <summary>
    /// Asks <paramref name="silo"/> itself how many task slots it offers, failing after <paramref name="timeout"/>:
    /// a silo that crashed stays listed as active until membership declares it dead.
    /// </summary>
    public static Task<int> GetSlotCountAsync(this IGrainFactory grains, SiloAddress silo, TimeSpan timeout)
    {
        Task<int> call;
        using (PlacementHint.On(silo))
        {
            call = grains.GetGrain<ISiloSlotsGrain>(silo.ToParsableString()).GetSlotCountAsync();
        }

        return call.WaitAsync(timeout);
    }
}

[TaskSlotPlacement]
internal sealed class SiloSlotsGrain(Microsoft.Extensions.Options.IOptions<Hosting.SlotOptions> options) : Grain, ISiloSlotsGrain
{
    public Task<int> GetSlotCountAsync() => Task.FromResult(options.Value.Slots);
}
