using Microsoft.Extensions.DependencyInjection;
using OrleansStream.Runtime.Jobs.Definitions;
using OrleansStream.Topology.Document;

namespace OrleansStream.Topology.Hosting;

public static class TopologyHostingExtensions
{
    /// <summary>Lets the silo run jobs defined by topology files (<c>JobSubmission.ForTopology</c>, <c>submit --topology</c>).</summary>
    /// <param name="builder">The silo.</param>
    /// <param name="limits">How large topologies may be and which files they may reach; <see cref="TopologyLimits.Default"/> when null.</param>
    public static ISiloBuilder AddOrleansStreamTopologies(this ISiloBuilder builder, TopologyLimits? limits = null)
    {
        builder.Services.AddSingleton(limits ?? TopologyLimits.Default);
        return builder.AddJobDefinitionResolver<TopologyJobResolver>();
    }
}
