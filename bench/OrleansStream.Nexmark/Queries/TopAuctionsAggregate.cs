using OrleansStream.Functions;

namespace OrleansStream.Nexmark.Queries;

/// <summary>q5's second stage: of a window's per-auction counts, keeps the auctions with the highest count.</summary>
internal sealed class TopAuctionsAggregate : IAggregateFunction<AuctionCount, TopAuctions, TopAuctions>
{
    public static readonly TopAuctionsAggregate Instance = new();

    public TopAuctions CreateAccumulator() => new();

    public TopAuctions Add(AuctionCount value, TopAuctions accumulator) => accumulator.Add(value.Auction, value.Count);

    public TopAuctions Merge(TopAuctions a, TopAuctions b) => a.Merge(b);

    public TopAuctions GetResult(TopAuctions accumulator) => accumulator;
}
