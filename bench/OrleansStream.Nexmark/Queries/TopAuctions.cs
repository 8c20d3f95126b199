namespace OrleansStream.Nexmark.Queries;

/// <summary>
/// q5's accumulator per window: the highest bid count seen and every auction with that count. Mutated in
/// place (the window keeps one per window), so adding a count allocates nothing unless an auction ties.
/// </summary>
public sealed class TopAuctions
{
    public long MaxCount { get; private set; } = -1;

    public List<long> Auctions { get; } = new(1);

    public TopAuctions Add(long auction, long count)
    {
        if (count > MaxCount)
        {
            MaxCount = count;
            Auctions.Clear();
            Auctions.Add(auction);
        }
        else if (count == MaxCount)
        {
            Auctions.Add(auction);
        }

        return this;
    }

    public TopAuctions Merge(TopAuctions other)
    {
        foreach (long auction in other.Auctions)
        {
            Add(auction, other.MaxCount);
        }

        return this;
    }
}
