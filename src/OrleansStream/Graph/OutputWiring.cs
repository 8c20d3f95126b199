using OrleansStream.Operators;

namespace OrleansStream.Graph;

/// <summary>
/// What reads one operator's outputs within a subtask: for the main output and for each side output
/// step, the chained operators that read it and the network edges that carry it to other vertices.
/// </summary>
internal sealed record OutputWiring(
    IReadOnlyList<IStreamOperator> Chained,
    IReadOnlyList<JobEdge> Edges,
    IReadOnlyList<SideOutputWiring> SideOutputs);

/// <summary>The readers of one side output step of an operator.</summary>
internal sealed record SideOutputWiring(
    ISideOutputTransformation Transformation,
    IReadOnlyList<IStreamOperator> Chained,
    IReadOnlyList<JobEdge> Edges);
