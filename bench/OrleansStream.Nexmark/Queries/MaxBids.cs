using OrleansStream.Nexmark.Model;

namespace OrleansStream.Nexmark.Queries;

/// <summary>
/// q7's accumulator per key and window: the highest price seen and every bid with that price, in arrival
/// order. Mutated in place, so a bid below the maximum costs a comparison.
/// </summary>
public sealed class MaxBids
{
    public long MaxPrice { get; private set; } = long.MinValue;

    public List<Bid> Bids { get; } = new(1);

    public MaxBids Add(Bid bid)
    {
        if (bid.Price > MaxPrice)
        {
            MaxPrice = bid.Price;
            Bids.Clear();
            Bids.Add(bid);
        }
        else if (bid.Price == MaxPrice)
        {
            Bids.Add(bid);
        }

        return this;
    }

    public MaxBids Merge(MaxBids other)
    {
        foreach (var bid in other.Bids)
        {
            Add(bid);
        }

        return this;
    }
}
