using OrleansStream.Functions;
using OrleansStream.Nexmark.Model;

namespace OrleansStream.Nexmark.Queries;

/// <summary>q7's first stage: per auction and window, the bids with the highest price.</summary>
internal sealed class MaxBidsAggregate : IAggregateFunction<Bid, MaxBids, MaxBids>
{
    public static readonly MaxBidsAggregate Instance = new();

    public MaxBids CreateAccumulator() => new();

    public MaxBids Add(Bid value, MaxBids accumulator) => accumulator.Add(value);

    public MaxBids Merge(MaxBids a, MaxBids b) => a.Merge(b);

    public MaxBids GetResult(MaxBids accumulator) => accumulator;
}

/// <summary>q7's second stage: of the per-auction maxima of a window, the bids with the window's highest price.</summary>
internal sealed class WindowMaxBidsAggregate : IAggregateFunction<HighestBid, MaxBids, MaxBids>
{
    public static readonly WindowMaxBidsAggregate Instance = new();

    public MaxBids CreateAccumulator() => new();

    public MaxBids Add(HighestBid value, MaxBids accumulator) => accumulator.Add(value.Bid);

    public MaxBids Merge(MaxBids a, MaxBids b) => a.Merge(b);

    public MaxBids GetResult(MaxBids accumulator) => accumulator;
}
