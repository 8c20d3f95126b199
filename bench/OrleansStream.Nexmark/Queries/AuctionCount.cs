namespace OrleansStream.Nexmark.Queries;

/// <summary>
/// The number of bids on an auction in a window: q5's intermediate per-auction count and, for the auctions
/// with the most bids, its result. Window bounds are epoch milliseconds, <c>[WindowStart, WindowEnd)</c>.
/// </summary>
public readonly record struct AuctionCount(long WindowStart, long WindowEnd, long Auction, long Count);
