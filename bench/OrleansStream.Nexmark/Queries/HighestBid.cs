using OrleansStream.Nexmark.Model;

namespace OrleansStream.Nexmark.Queries;

/// <summary>A q7 result (and its per-auction intermediate): a bid with the highest price in its window <c>[WindowStart, WindowEnd)</c>.</summary>
public readonly record struct HighestBid(long WindowStart, long WindowEnd, Bid Bid);
