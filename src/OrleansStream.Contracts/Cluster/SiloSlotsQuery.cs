namespace OrleansStream.Contracts.Cluster;

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
