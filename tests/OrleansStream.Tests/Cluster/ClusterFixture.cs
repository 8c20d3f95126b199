using Orleans.TestingHost;
using OrleansStream.Contracts.Jobs;
using OrleansStream.Runtime.Hosting;
using OrleansStream.Topology.Hosting;

namespace OrleansStream.Tests.Cluster;

/// <summary>Three in-process silos with two task slots each, records moving over the push channel transport.</summary>
public class ClusterFixture : IAsyncLifetime
{
    public const int Silos = 3;
    public const int SlotsPerSilo = 2;

    public TestCluster Cluster { get; private set; } = null!;

    public StreamJobClient Jobs => new(Cluster.GrainFactory);

    protected virtual string ChannelTransport => OrleansStreamOptions.DefaultChannelTransport;

    public async Task InitializeAsync()
    {
        var builder = new TestClusterBuilder(Silos);
        builder.Properties["ChannelTransport"] = ChannelTransport;
        builder.AddSiloBuilderConfigurator<SiloConfigurator>();
        Cluster = builder.Build();
        await Cluster.DeployAsync();
    }

    public async Task DisposeAsync()
    {
        await Cluster.StopAllSilosAsync();
        await Cluster.DisposeAsync();
    }

    private sealed class SiloConfigurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder siloBuilder)
        {
            var transport = siloBuilder.Configuration["ChannelTransport"] ?? OrleansStreamOptions.DefaultChannelTransport;
            siloBuilder.AddOrleansStream(options => options.ChannelTransport = transport);
            siloBuilder.AddOrleansStreamTopologies();
            siloBuilder.AddMemoryChannelStreams();
            siloBuilder.AddOrleansStreamMemoryStorage();
            siloBuilder.UseInMemoryReminderService();
            siloBuilder.UseTaskSlots(SlotsPerSilo);
        }
    }
}

/// <summary>The same cluster with Orleans' stock memory streams carrying the channels.</summary>
public sealed class MemoryStreamsClusterFixture : ClusterFixture
{
    protected override string ChannelTransport => "memory";
}

[CollectionDefinition(Name)]
public sealed class ClusterCollection : ICollectionFixture<ClusterFixture>
{
    public const string Name = "cluster";
}

[CollectionDefinition(Name)]
public sealed class MemoryStreamsClusterCollection : ICollectionFixture<MemoryStreamsClusterFixture>
{
    public const string Name = "memory-streams cluster";
}
