using Microsoft.Data.Sqlite;
using OrleansStream.Runtime.Storage;
using OrleansStream.Tests.Connectors;

namespace OrleansStream.Tests.Storage;

/// <summary>The grain storage contract on a SQLite file, in a directory the silo has to create.</summary>
public sealed class SqliteGrainStorageTests(SqliteGrainStorageTests.Fixture fixture)
    : GrainStorageContractTests, IClassFixture<SqliteGrainStorageTests.Fixture>
{
    protected override Task<StorageTestCluster> ClusterAsync() => Task.FromResult(fixture.Cluster);

    protected override async Task<long> CountStateRowsAsync(string stateName, string grainKey)
    {
        await using var connection = new SqliteConnection(SqliteConnectionStrings.ForDatabaseFile(fixture.DatabasePath));
        await connection.OpenAsync();
        await using var command = new SqliteCommand("SELECT count(*) FROM orleans_grain_state WHERE grain_type = $type AND grain_id_extension = $key", connection);
        command.Parameters.AddWithValue("$type", stateName);
        command.Parameters.AddWithValue("$key", grainKey);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    [Fact]
    public async Task The_database_is_in_wal_mode()
    {
        await using var connection = new SqliteConnection(SqliteConnectionStrings.ForDatabaseFile(fixture.DatabasePath));
        await connection.OpenAsync();
        await using var command = new SqliteCommand("PRAGMA journal_mode", connection);
        Assert.Equal("wal", (string?)await command.ExecuteScalarAsync());
    }

    public sealed class Fixture : IAsyncLifetime
    {
        private readonly TempDirectory _directory = new();

        public string DatabasePath => _directory.Combine("not", "yet", "there", "state.db");

        public StorageTestCluster Cluster { get; private set; } = null!;

        public async Task InitializeAsync()
            => Cluster = await StorageTestCluster.StartAsync(new StorageSettings { SqlitePath = DatabasePath });

        public async Task DisposeAsync()
        {
            if (Cluster is not null)
            {
                await Cluster.DisposeAsync();
            }

            // Pooled connections keep the file open; let go of them before the directory goes.
            SqliteConnection.ClearAllPools();
            _directory.Dispose();
        }
    }
}
