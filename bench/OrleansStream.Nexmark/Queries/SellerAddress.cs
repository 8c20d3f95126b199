namespace OrleansStream.Nexmark.Queries;

/// <summary>What q3 needs of a person: the id that auctions name as their seller, and the name and address it reports.</summary>
public sealed record SellerAddress(long Id, string Name, string City, string State);
