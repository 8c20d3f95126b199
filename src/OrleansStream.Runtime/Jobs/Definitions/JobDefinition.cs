using OrleansStream.Api;

namespace OrleansStream.Runtime.Jobs.Definitions;

/// <summary>A resolved job: what builds its graph, and the name its definition gives it (a topology's <c>name</c>), if any.</summary>
public sealed record JobDefinition(IStreamJob Job, string? Name = null);
