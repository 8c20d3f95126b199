using Microsoft.Data.Sqlite;
using OrleansStream.Runtime.Storage;
using OrleansStream.Tests.Connectors;

namespace OrleansStream.Tests.Storage;

public sealed class SqliteSchemaTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        _directory.Dispose();
    }

    [Fact]
    public async Task Applies_twice_creating_the_file_and_its_directory()
    {
        var connectionString = SqliteConnectionStrings.ForDatabaseFile(_directory.Combine("a", "b", "state.db"));

        await SqlSchema.ApplyAsync(SqlDialect.Sqlite, connectionString, SqlSchemaParts.GrainStorage);
        await SqlSchema.ApplyAsync(SqlDialect.Sqlite, connectionString, SqlSchemaParts.GrainStorage);

        Assert.Equal(ExpectedQueries.GrainStorage.Order(StringComparer.Ordinal), await QueryKeysAsync(connectionString));
    }

    [Fact]
    public async Task Applies_from_several_starters_at_once()
    {
        var connectionString = SqliteConnectionStrings.ForDatabaseFile(_directory.Combine("state.db"));

        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => SqlSchema.ApplyAsync(SqlDialect.Sqlite, connectionString, SqlSchemaParts.GrainStorage))));

        Assert.Equal(ExpectedQueries.GrainStorage.Order(StringComparer.Ordinal), await QueryKeysAsync(connectionString));
    }

    [Fact]
    public async Task Refuses_the_parts_only_postgres_has()
    {
        var connectionString = SqliteConnectionStrings.ForDatabaseFile(_directory.Combine("state.db"));

        var exception = await Assert.ThrowsAsync<NotSupportedException>(() => SqlSchema.ApplyAsync(SqlDialect.Sqlite, connectionString, SqlSchemaParts.Reminders));
        Assert.Contains("Reminders", exception.Message);
    }

    [Fact]
    public void The_script_can_be_had_as_text()
    {
        var script = SqlSchema.GetScript(SqlDialect.PostgreSql, SqlSchemaParts.All);

        Assert.Contains("CREATE TABLE IF NOT EXISTS OrleansQuery", script);
        Assert.All(ExpectedQueries.For(SqlSchemaParts.All), key => Assert.Contains($"'{key}'", script));
    }

    private static async Task<string[]> QueryKeysAsync(string connectionString)
    {
        await using var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new SqliteCommand("SELECT QueryKey FROM OrleansQuery ORDER BY QueryKey", connection);
        await using var reader = await command.ExecuteReaderAsync();
        var keys = new List<string>();
        while (await reader.ReadAsync())
        {
            keys.Add(reader.GetString(0));
        }

        return [.. keys];
    }
}
