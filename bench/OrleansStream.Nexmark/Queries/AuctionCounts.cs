using OrleansStream.Functions;

namespace OrleansStream.Nexmark.Queries;

/// <summary>
/// q5's first-stage accumulator: bid counts per auction of one group of auctions in one window. Mutated in
/// place (the window keeps one per group and window).
/// </summary>
public sealed class AuctionCounts
{
    public Dictionary<long, long> Counts { get; } = new();

    public AuctionCounts Add(long auction, long count = 1)
    {
        System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(Counts, auction, out _) += count;
        return this;
    }

    public AuctionCounts Merge(AuctionCounts other)
    {
        foreach (var (auction, count) in other.Counts)
        {
            Add(auction, count);
        }

        return this;
    }

    /// <summary>The auctions of the group with the most bids in the window.</summary>
    public TopAuctions Top()
    {
        var top = new TopAuctions();
        foreach (var (auction, count) in Counts)
        {
            top.Add(auction, count);
        }

        return top;
    }
}

/// <summary>
/// q5's first stage: counts a group's bids per auction in a window and yields the group's most-bid auctions.
/// Every auction belongs to one group, so the window's most-bid auctions are among the groups' own.
/// </summary>
internal sealed class GroupTopAuctionsAggregate : IAggregateFunction<AuctionTime, AuctionCounts, TopAuctions>
{
    public static readonly GroupTopAuctionsAggregate Instance = new();

    public AuctionCounts CreateAccumulator() => new();

    public AuctionCounts Add(AuctionTime value, AuctionCounts accumulator) => accumulator.Add(value.Auction);

    public AuctionCounts Merge(AuctionCounts a, AuctionCounts b) => a.Merge(b);

    public TopAuctions GetResult(AuctionCounts accumulator) => accumulator.Top();
}
