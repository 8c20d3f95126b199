namespace OrleansStream.Contracts.Rescaling;

/// <summary>
/// What a rescale asks for: a new parallelism for the whole job (every vertex that can run at it), per vertex
/// (named by one of its operators), or both, the per-vertex figures winning.
/// </summary>
[GenerateSerializer, Immutable, Alias("orleansstream.rescale-request")]
public sealed record RescaleRequest
{
    /// <summary>The parallelism of every vertex that is not pinned to one (a <c>WindowAll</c>, a vertex given its own); null leaves them.</summary>
    [Id(0)] public int? Parallelism { get; init; }

    /// <summary>Parallelism per vertex, named by one of its operators (such as <c>window-counts</c>).</summary>
    [Id(1)] public Dictionary<string, int> Vertices { get; init; } = new();

    [Id(2)] public RescaleTrigger Trigger { get; init; } = RescaleTrigger.User;

    /// <summary>Why, in words: shown in the job's rescale history (an autoscaler's metric values, say).</summary>
    [Id(3)] public string? Reason { get; init; }

    public static RescaleRequest ToParallelism(int parallelism) => new() { Parallelism = parallelism };

    public static RescaleRequest ForVertices(IReadOnlyDictionary<string, int> vertices) => new() { Vertices = new Dictionary<string, int>(vertices) };
}
