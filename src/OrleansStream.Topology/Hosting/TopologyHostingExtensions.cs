using OrleansStream.Runtime.Jobs.Definitions;

namespace OrleansStream.Topology.Hosting;

public static class TopologyHostingExtensions
{
    /// <summary>Lets the silo run jobs defined by topology files (<c>JobSubmission.ForTopology</c>, <c>submit --topology</c>).</summary>
    public static ISiloBuilder AddOrleansStreamTopologies(this ISiloBuilder builder)
        => builder.AddJobDefinitionResolver<TopologyJobResolver>();
}
