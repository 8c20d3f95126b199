using OrleansStream.Api;
using OrleansStream.Topology.Document;

namespace OrleansStream.Topology;

/// <summary>
/// The job a topology describes. <see cref="Build"/> substitutes the job's parameters
/// (<see cref="StreamBuilder.Parameters"/>) and adds the steps; it builds the same graph, with the same
/// operator names and uids (the step names), wherever it runs.
/// </summary>
public sealed class TopologyJob(TopologyDocument document) : IStreamJob
{
    public TopologyDocument Document { get; } = document ?? throw new ArgumentNullException(nameof(document));

    /// <exception cref="TopologyException">A parameter the topology needs is missing, or a value is invalid once parameters are substituted.</exception>
    public void Build(StreamBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        Document.AddTo(builder, ParameterResolver.For(builder.Parameters));
    }
}
