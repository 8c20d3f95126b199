using Npgsql;
using OrleansStream.Tests.Fixtures;

namespace OrleansStream.Tests.Storage;

/// <summary>The grain storage contract on PostgreSQL, in a database of its own on the shared server.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresGrainStorageTests(PostgresServer server, ClassScoped<StorageTestCluster> cluster)
    : GrainStorageContractTests, IClassFixture<ClassScoped<StorageTestCluster>>
{
    protected override Task<StorageTestCluster> ClusterAsync() => cluster.GetAsync(async () =>
    {
        var database = await server.CreateDatabaseAsync(nameof(PostgresGrainStorageTests));
        return await StorageTestCluster.StartAsync(new StorageSettings { PostgresStorage = database });
    });

    protected override async Task<long> CountStateRowsAsync(string stateName, string grainKey)
    {
        var started = await ClusterAsync();
        await using var connection = new NpgsqlConnection(started.Settings.PostgresStorage);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT count(*) FROM orleans_grain_state WHERE grain_type = @type AND grain_id_extension = @key", connection);
        command.Parameters.AddWithValue("type", stateName);
        command.Parameters.AddWithValue("key", grainKey);
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
