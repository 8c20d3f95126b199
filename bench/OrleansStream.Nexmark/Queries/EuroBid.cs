namespace OrleansStream.Nexmark.Queries;

/// <summary>
/// A bid with its price converted to euros by q1 (price × 0.908). The price is kept exactly, in thousandths
/// (<c>price * 908</c>), as SQL's DECIMAL(23, 3) would hold it: no rounding, no floating point.
/// </summary>
public readonly record struct EuroBid(long Auction, long Bidder, long PriceThousandths, long DateTime);
