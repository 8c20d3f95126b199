namespace OrleansStream.Contracts.Artifacts;

/// <summary>An uploaded job assembly: its content hash (the key it is stored under) and the file it came from.</summary>
[GenerateSerializer, Immutable, Alias("orleansstream.job-artifact")]
public sealed record JobArtifact([property: Id(0)] string Id, [property: Id(1)] string FileName);
