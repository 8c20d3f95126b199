namespace OrleansStream.Contracts.Jobs;

/// <summary>A topology document and the name of the file it came from (errors name its lines).</summary>
[GenerateSerializer, Immutable, Alias("orleansstream.job-topology")]
public sealed record JobTopology([property: Id(0)] string Text, [property: Id(1)] string FileName);
