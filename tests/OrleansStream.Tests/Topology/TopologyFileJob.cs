using OrleansStream.Api;
using OrleansStream.Topology;

namespace OrleansStream.Tests.Topology;

/// <summary>Runs the topology file named by the job parameter <c>topology</c>: how the tests submit topologies to a cluster.</summary>
public sealed class TopologyFileJob : IStreamJob
{
    public void Build(StreamBuilder builder)
    {
        string path = builder.Parameters.GetRequired("topology");
        new TopologyJob(TopologyDocument.Parse(File.ReadAllText(path), Path.GetFileName(path))).Build(builder);
    }
}
