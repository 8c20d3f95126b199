namespace OrleansStream.Nexmark.Queries;

/// <summary>q4's intermediate result: a closed auction's category and its highest bid within its open span.</summary>
public readonly record struct WinningPrice(long Auction, long Category, long Price);
