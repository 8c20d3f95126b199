namespace OrleansStream.Nexmark.Queries;

/// <summary>A q3 result: a seller in OR, ID or CA (name, city, state) and an auction of theirs in category 10.</summary>
public sealed record LocalItem(string Name, string City, string State, long Auction);
