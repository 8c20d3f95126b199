namespace OrleansStream.Nexmark.Model;

/// <summary>A bid on an auction (Nexmark's Bid). DateTime is when the bid was placed (the event time), in epoch milliseconds; the price is in cents.</summary>
public sealed record Bid(long Auction, long Bidder, long Price, string Channel, string Url, long DateTime, string Extra);
