namespace OrleansStream.Nexmark.Queries;

/// <summary>A q8 result: a person who registered and opened an auction in the 10 s window starting at <c>WindowStart</c> (epoch ms).</summary>
public readonly record struct NewUser(long Id, string Name, long WindowStart);
