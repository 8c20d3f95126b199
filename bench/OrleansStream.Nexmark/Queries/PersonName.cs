namespace OrleansStream.Nexmark.Queries;

/// <summary>What q8 needs of a person: id and name.</summary>
public readonly record struct PersonName(long Id, string Name);
