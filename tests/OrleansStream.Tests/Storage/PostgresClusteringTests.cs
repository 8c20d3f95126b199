using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;
using Orleans.Configuration;
using Orleans.Runtime.MembershipService;
using OrleansStream.Runtime.Storage;
using OrleansStream.Tests.Fixtures;

namespace OrleansStream.Tests.Storage;

/// <summary>Cluster membership kept in PostgreSQL: a real two-silo cluster, and the membership table's protocol step by step.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresClusteringTests(PostgresServer server)
{
    private const int Active = (int)SiloStatus.Active;
    private const int Dead = (int)SiloStatus.Dead;

    [Fact]
    public async Task Two_silos_form_a_cluster_that_a_client_finds_through_the_table()
    {
        var database = await server.CreateDatabaseAsync("clustering_two_silos");
        await using var started = await StorageTestCluster.StartAsync(new StorageSettings { PostgresClustering = database, MemoryStorage = true }, silos: 2);
        var clusterId = started.Cluster.Options.ClusterId;

        var hosts = await started.Grains.GetGrain<IManagementGrain>(0).GetHosts(onlyActive: true);
        Assert.Equal(2, hosts.Count);
        Assert.Equal(new[] { Active, Active }, await StatusesAsync(database, clusterId));

        var grain = started.Grains.GetGrain<IStateHolderGrain>("clustered");
        await grain.WriteAsync([7]);
        Assert.Equal([7], (await grain.GetAsync()).Payload);

        // A silo that leaves marks itself dead in the table: an update under the table version.
        await started.Cluster.StopSiloAsync(started.Cluster.Silos[1]);
        Assert.Equal(new[] { Active, Dead }, await StatusesAsync(database, clusterId));
    }

    [Fact]
    public async Task The_membership_table_changes_only_under_the_current_version()
    {
        var database = await server.CreateDatabaseAsync("clustering_table");
        await SqlSchema.ApplyAsync(SqlDialect.PostgreSql, database, SqlSchemaParts.Clustering);
        var clusterId = "table-" + Guid.NewGuid().ToString("N");
        var table = new AdoNetClusteringTable(
            new EmptyServiceProvider(),
            Options.Create(new ClusterOptions { ClusterId = clusterId, ServiceId = "tests" }),
            Options.Create(new AdoNetClusteringSiloOptions { Invariant = "Npgsql", ConnectionString = database }),
            NullLogger<AdoNetClusteringTable>.Instance);

        await table.InitializeMembershipTableAsync(tryInitTableVersion: true);
        await table.InitializeMembershipTableAsync(tryInitTableVersion: true);
        var empty = await table.ReadAllAsync();
        Assert.Empty(empty.Members);
        Assert.Equal(0, empty.Version.Version);

        var first = Entry(11111, SiloStatus.Joining);
        Assert.True(await table.InsertRowAsync(first, empty.Version.Next()));
        var second = Entry(22222, SiloStatus.Joining);
        Assert.False(await table.InsertRowAsync(second, empty.Version.Next()));

        var one = await table.ReadAllAsync();
        Assert.Equal(1, one.Version.Version);
        // Since Orleans 10.4 a row's ETag is the table version it was read under.
        var (stored, rowETag) = Assert.Single(one.Members);
        Assert.Equal(one.Version.VersionEtag, rowETag);
        Assert.Equal(first.SiloAddress, stored.SiloAddress);
        Assert.Equal(first.SiloName, stored.SiloName);
        Assert.Equal(first.HostName, stored.HostName);
        Assert.Equal(first.ProxyPort, stored.ProxyPort);
        Assert.Equal(first.Status, stored.Status);
        Assert.Equal(first.StartTime, stored.StartTime, TimeSpan.FromMilliseconds(1));

        // Inserting a silo twice fails without moving the version.
        Assert.False(await table.InsertRowAsync(first, one.Version.Next()));
        Assert.Equal(1, (await table.ReadAllAsync()).Version.Version);

        first.Status = SiloStatus.Active;
        first.SuspectTimes = [Tuple.Create(second.SiloAddress, DateTime.UtcNow)];
        Assert.True(await table.UpdateRowAsync(first, rowETag, one.Version.Next()));
        Assert.False(await table.UpdateRowAsync(first, rowETag, one.Version.Next()));
        var updated = await table.ReadRowAsync(first.SiloAddress);
        Assert.Equal(2, updated.Version.Version);
        var (active, _) = Assert.Single(updated.Members);
        Assert.Equal(SiloStatus.Active, active.Status);
        Assert.Equal(second.SiloAddress, Assert.Single(active.SuspectTimes ?? []).Item1);

        // Updating a silo that is not there fails without moving the version.
        Assert.False(await table.UpdateRowAsync(second, updated.Version.VersionEtag, updated.Version.Next()));
        var missing = await table.ReadRowAsync(second.SiloAddress);
        Assert.Empty(missing.Members);
        Assert.Equal(2, missing.Version.Version);

        var alive = DateTime.UtcNow.AddMinutes(1);
        first.IAmAliveTime = alive;
        await table.UpdateIAmAliveAsync(first);
        var heartbeat = await table.ReadRowAsync(first.SiloAddress);
        Assert.Equal(alive, Assert.Single(heartbeat.Members).Item1.IAmAliveTime, TimeSpan.FromMilliseconds(1));
        Assert.Equal(2, heartbeat.Version.Version);

        // Only dead silos whose last heartbeat is older than the cut-off are cleaned up.
        Assert.True(await table.InsertRowAsync(second, heartbeat.Version.Next()));
        second.Status = SiloStatus.Dead;
        var withSecond = await table.ReadAllAsync();
        Assert.True(await table.UpdateRowAsync(second, withSecond.Version.VersionEtag, withSecond.Version.Next()));
        await table.CleanupDefunctSiloEntriesAsync(DateTimeOffset.UtcNow.AddSeconds(30));
        var cleaned = await table.ReadAllAsync();
        Assert.Equal(first.SiloAddress, Assert.Single(cleaned.Members).Item1.SiloAddress);

        await table.DeleteMembershipTableEntriesAsync(clusterId);
        Assert.Empty(await StatusesAsync(database, clusterId));
    }

    private static MembershipEntry Entry(int port, SiloStatus status) => new()
    {
        SiloAddress = SiloAddress.New(new IPEndPoint(IPAddress.Loopback, port), 42),
        SiloName = $"silo-{port}",
        HostName = "localhost",
        Status = status,
        ProxyPort = port + 1,
        StartTime = DateTime.UtcNow,
        IAmAliveTime = DateTime.UtcNow,
    };

    private static async Task<int[]> StatusesAsync(string database, string clusterId)
    {
        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT status FROM orleans_membership WHERE deployment_id = @cluster ORDER BY status", connection);
        command.Parameters.AddWithValue("cluster", clusterId);
        await using var reader = await command.ExecuteReaderAsync();
        var statuses = new List<int>();
        while (await reader.ReadAsync())
        {
            statuses.Add(reader.GetInt32(0));
        }

        return [.. statuses];
    }

    private sealed class EmptyServiceProvider : IServiceProvider
    {
        public object? GetService(Type serviceType) => null;
    }
}
