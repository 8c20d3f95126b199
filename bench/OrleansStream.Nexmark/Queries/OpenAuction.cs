namespace OrleansStream.Nexmark.Queries;

/// <summary>
/// q4's state per auction: the auction and the highest price bid within its span so far, or <see cref="NoBid"/>.
/// Mutated in place, so a bid costs one state lookup and a comparison.
/// </summary>
public sealed class OpenAuction(AuctionSpan auction, long maxPrice)
{
    public const long NoBid = long.MinValue;

    public AuctionSpan Auction { get; } = auction;

    public long MaxPrice { get; private set; } = maxPrice;

    /// <summary>Counts <paramref name="bid"/> if it was placed between the auction's opening and its expiry, both inclusive (SQL's BETWEEN).</summary>
    public void Offer(BidPrice bid)
    {
        if (bid.DateTime >= Auction.DateTime && bid.DateTime <= Auction.Expires && bid.Price > MaxPrice)
        {
            MaxPrice = bid.Price;
        }
    }
}
