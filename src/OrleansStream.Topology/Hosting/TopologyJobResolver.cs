using OrleansStream.Contracts.Jobs;
using OrleansStream.Runtime.Jobs.Definitions;
using OrleansStream.Topology.Document;

namespace OrleansStream.Topology.Hosting;

/// <summary>Jobs defined by a topology document (YAML or JSON) in the submission.</summary>
internal sealed class TopologyJobResolver(TopologyLimits limits) : IJobDefinitionResolver
{
    /// <exception cref="TopologyException">The document is not valid; the message names its file, line and field.</exception>
    public ValueTask<JobDefinition?> ResolveAsync(string jobId, JobSubmission submission, CancellationToken cancellationToken)
    {
        if (submission.Topology is not { } topology)
        {
            return ValueTask.FromResult<JobDefinition?>(null);
        }

        var document = TopologyDocument.Parse(topology.Text, topology.FileName, limits);
        return ValueTask.FromResult<JobDefinition?>(new JobDefinition(new TopologyJob(document), document.Name));
    }
}
