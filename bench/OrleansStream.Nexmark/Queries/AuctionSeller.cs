namespace OrleansStream.Nexmark.Queries;

/// <summary>What q3 needs of an auction: its id and the person who sells it.</summary>
public readonly record struct AuctionSeller(long Auction, long Seller);
