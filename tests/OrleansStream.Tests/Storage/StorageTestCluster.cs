using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;
using Orleans.TestingHost;
using OrleansStream.Client;
using OrleansStream.Runtime.Hosting;
using OrleansStream.Runtime.Storage;

namespace OrleansStream.Tests.Storage;

/// <summary>An in-process TestingHost cluster whose silos keep state, reminders or membership where <see cref="StorageSettings"/> says.</summary>
public sealed class StorageTestCluster : IAsyncDisposable
{
    private StorageTestCluster(TestCluster cluster, StorageSettings settings)
    {
        Cluster = cluster;
        Settings = settings;
    }

    public TestCluster Cluster { get; }

    public StorageSettings Settings { get; }

    public IGrainFactory Grains => Cluster.GrainFactory;

    public IServiceProvider SiloServices(int silo = 0) => ((InProcessSiloHandle)Cluster.Silos[silo]).SiloHost.Services;

    /// <summary>The silo's OrleansStream grain storage, for tests that drive it without a grain.</summary>
    public IGrainStorage Storage => SiloServices().GetRequiredKeyedService<IGrainStorage>(OrleansStreamStorage.ProviderName);

    public static async Task<StorageTestCluster> StartAsync(StorageSettings settings, short silos = 1)
    {
        var builder = new TestClusterBuilder(silos);
        settings.WriteTo(builder.Properties);
        // With PostgreSQL clustering the silos and the client find each other through the table;
        // otherwise TestingHost's own membership does.
        builder.Options.UseTestClusterMembership = settings.PostgresClustering is null;
        builder.AddSiloBuilderConfigurator<SiloConfigurator>();
        builder.AddClientBuilderConfigurator<ClientConfigurator>();
        var cluster = builder.Build();
        try
        {
            await cluster.DeployAsync();
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }

        return new StorageTestCluster(cluster, settings);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await Cluster.StopAllSilosAsync();
        }
        finally
        {
            await Cluster.DisposeAsync();
        }
    }

    private sealed class SiloConfigurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder siloBuilder)
        {
            var settings = StorageSettings.ReadFrom(siloBuilder.Configuration);
            if (settings.SqlitePath is { } path)
            {
                siloBuilder.AddOrleansStreamSqliteStorage(path);
            }

            if (settings.PostgresStorage is { } storage)
            {
                siloBuilder.AddOrleansStreamPostgresStorage(storage);
            }

            if (settings.MemoryStorage)
            {
                siloBuilder.AddOrleansStreamMemoryStorage();
            }

            if (settings.PostgresReminders is { } reminders)
            {
                siloBuilder.AddOrleansStreamPostgresReminders(reminders);
            }

            if (settings.PostgresClustering is { } clustering)
            {
                siloBuilder.AddOrleansStreamPostgresClustering(clustering);
            }
        }
    }

    private sealed class ClientConfigurator : IClientBuilderConfigurator
    {
        public void Configure(IConfiguration configuration, IClientBuilder clientBuilder)
        {
            if (StorageSettings.ReadFrom(configuration).PostgresClustering is { } clustering)
            {
                clientBuilder.AddOrleansStreamPostgresClustering(clustering);
            }
        }
    }
}
