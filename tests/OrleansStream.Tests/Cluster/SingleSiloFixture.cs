using Orleans.TestingHost;
using OrleansStream.Contracts.Jobs;
using OrleansStream.Runtime.Hosting;
using OrleansStream.Topology.Hosting;

namespace OrleansStream.Tests.Cluster;

/// <summary>One in-process silo configured by <typeparamref name="TConfigurator"/>: for test classes that need a cluster of their own.</summary>
public abstract class SingleSiloFixture<TConfigurator> : IAsyncLifetime
    where TConfigurator : ISiloConfigurator, new()
{
    public TestCluster Cluster { get; private set; } = null!;

    public StreamJobClient Jobs => new(Cluster.GrainFactory);

    public async Task InitializeAsync()
    {
        var builder = new TestClusterBuilder(1);
        builder.AddSiloBuilderConfigurator<TConfigurator>();
        Cluster = builder.Build();
        await Cluster.DeployAsync();
    }

    public async Task DisposeAsync()
    {
        await Cluster.StopAllSilosAsync();
        await Cluster.DisposeAsync();
    }
}

internal static class TestSilos
{
    /// <summary>What a test silo runs jobs with: the engine, topologies, state and reminders in memory, and <paramref name="slots"/> task slots.</summary>
    public static void AddOrleansStreamInMemory(this ISiloBuilder silo, int slots)
    {
        silo.AddOrleansStream();
        silo.AddOrleansStreamTopologies();
        silo.AddOrleansStreamMemoryStorage();
        silo.UseInMemoryReminderService();
        silo.UseTaskSlots(slots);
    }
}
