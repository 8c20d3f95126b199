using OrleansStream.Contracts.Jobs;

namespace OrleansStream.Topology.Document;

/// <summary>
/// How large a topology may be, and which files it may reach. A real one is a few hundred lines of a few levels; the limits are far above
/// that and far below what would let one submission pin or exhaust a silo (checking 1,000 steps takes well
/// under a second).
/// </summary>
public sealed record TopologyLimits
{
    public static TopologyLimits Default { get; } = new();

    /// <summary>Characters in the document.</summary>
    public int MaxLength { get; init; } = JobTopology.MaxLength;

    /// <summary>Levels of nested mappings and lists.</summary>
    public int MaxDepth { get; init; } = 64;

    /// <summary>Values (scalars, mappings and lists), each use of an alias counted as the values it stands for.</summary>
    public long MaxNodes { get; init; } = 100_000;

    /// <summary>Steps in <c>steps</c>.</summary>
    public int MaxSteps { get; init; } = 1_000;

    /// <summary>
    /// The directories under which file sources and sinks may read and write; null or empty, anywhere the silo's user
    /// can. A cluster that strangers submit topologies to sets them (<c>OrleansStream:Topology:FileRoots</c>).
    /// </summary>
    public string[]? FileRoots { get; init; }
}
