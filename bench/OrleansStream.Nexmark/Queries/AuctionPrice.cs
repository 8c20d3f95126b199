namespace OrleansStream.Nexmark.Queries;

/// <summary>A q2 result: the auction and price of a bid on a selected auction.</summary>
public readonly record struct AuctionPrice(long Auction, long Price);
