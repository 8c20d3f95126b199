namespace OrleansStream.Nexmark.Queries;

/// <summary>What q5 needs of a bid: the auction it is on and when it was placed (epoch milliseconds).</summary>
public readonly record struct AuctionTime(long Auction, long DateTime);
