namespace OrleansStream.Nexmark.Generator;

/// <summary>
/// Which person and auction ids exist at a given event: ids are dense and follow the event index, so an
/// event can name the people and auctions created before it without any shared state (the reference's
/// lastBase0PersonId / lastBase0AuctionId / nextBase0…Id). Ids here are 0-based; callers add the first id.
/// </summary>
internal static class NexmarkIds
{
    /// <summary>Ids a bid or auction may pick beyond the newest one, as if those events came a little early.</summary>
    private const int PersonIdLead = 10;

    private const int AuctionIdLead = 10;

    /// <summary>The newest person id at <paramref name="index"/> (this event's own id if it is a person).</summary>
    public static long LastPerson(NexmarkConfig config, long index)
    {
        long epoch = index / config.TotalProportion;
        long offset = index % config.TotalProportion;
        if (offset >= config.PersonProportion)
        {
            offset = config.PersonProportion - 1;
        }

        return (epoch * config.PersonProportion) + offset;
    }

    /// <summary>The newest auction id at <paramref name="index"/> (this event's own id if it is an auction); -1 before the first.</summary>
    public static long LastAuction(NexmarkConfig config, long index)
    {
        long epoch = index / config.TotalProportion;
        long offset = index % config.TotalProportion;
        if (offset < config.PersonProportion)
        {
            epoch--;
            offset = config.AuctionProportion - 1;
        }
        else if (offset >= config.PersonProportion + config.AuctionProportion)
        {
            offset = config.AuctionProportion - 1;
        }
        else
        {
            offset -= config.PersonProportion;
        }

        return (epoch * config.AuctionProportion) + offset;
    }

    /// <summary>A random person among the active (newest) ones, plus a few ids ahead.</summary>
    public static long RandomPerson(NexmarkConfig config, long index, ref EventRandom random)
    {
        long people = LastPerson(config, index) + 1;
        long active = Math.Min(people, config.NumActivePeople);
        return people - active + random.NextLong(active + PersonIdLead);
    }

    /// <summary>A random auction among those likely still open, plus a few ids ahead.</summary>
    public static long RandomAuction(NexmarkConfig config, long index, ref EventRandom random)
    {
        long max = LastAuction(config, index);
        long min = Math.Max(max - config.NumInFlightAuctions, 0);
        return min + random.NextLong(Math.Max(max - min + 1, 0) + AuctionIdLead);
    }
}
