namespace OrleansStream.Nexmark.Queries;

/// <summary>What q4 needs of a bid: the auction it is on, its price and when it was placed (epoch milliseconds).</summary>
public readonly record struct BidPrice(long Auction, long Price, long DateTime);
