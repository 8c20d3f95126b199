namespace OrleansStream.Nexmark.Model;

/// <summary>A new auction opened by a seller (Nexmark's Auction). DateTime is when the auction opened (the event time) and Expires when it closes, in epoch milliseconds; prices are in cents.</summary>
public sealed record Auction(
    long Id, string ItemName, string Description, long InitialBid, long Reserve, long DateTime, long Expires, long Seller, long Category, string Extra);
