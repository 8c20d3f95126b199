namespace OrleansStream.Nexmark.Queries;

/// <summary>What q4 needs of an auction: its id, its category and when it opens and closes (epoch milliseconds, both inclusive for bids).</summary>
public readonly record struct AuctionSpan(long Id, long Category, long DateTime, long Expires);
