using Npgsql;
using OrleansStream.Runtime.Storage;
using OrleansStream.Tests.Fixtures;

namespace OrleansStream.Tests.Storage;

[Collection(PostgresCollection.Name)]
public sealed class PostgresSchemaTests(PostgresServer server)
{
    [Fact]
    public async Task Applies_twice()
    {
        var database = await server.CreateDatabaseAsync("schema_twice");

        await SqlSchema.ApplyAsync(SqlDialect.PostgreSql, database, SqlSchemaParts.All);
        await SqlSchema.ApplyAsync(SqlDialect.PostgreSql, database, SqlSchemaParts.All);

        Assert.Equal(ExpectedQueries.For(SqlSchemaParts.All).Order(StringComparer.Ordinal), await QueryKeysAsync(database));
    }

    [Fact]
    public async Task Applies_part_by_part_into_one_database()
    {
        var database = await server.CreateDatabaseAsync("schema_parts");

        await SqlSchema.ApplyAsync(SqlDialect.PostgreSql, database, SqlSchemaParts.GrainStorage);
        Assert.Equal(ExpectedQueries.GrainStorage.Order(StringComparer.Ordinal), await QueryKeysAsync(database));

        await SqlSchema.ApplyAsync(SqlDialect.PostgreSql, database, SqlSchemaParts.Reminders | SqlSchemaParts.Clustering);
        Assert.Equal(ExpectedQueries.For(SqlSchemaParts.All).Order(StringComparer.Ordinal), await QueryKeysAsync(database));
    }

    [Fact]
    public async Task Applies_from_several_silos_at_once()
    {
        var database = await server.CreateDatabaseAsync("schema_concurrent");

        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => SqlSchema.ApplyAsync(SqlDialect.PostgreSql, database, SqlSchemaParts.All))));

        Assert.Equal(ExpectedQueries.For(SqlSchemaParts.All).Order(StringComparer.Ordinal), await QueryKeysAsync(database));
    }

    private static async Task<string[]> QueryKeysAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT QueryKey FROM OrleansQuery ORDER BY QueryKey COLLATE \"C\"", connection);
        await using var reader = await command.ExecuteReaderAsync();
        var keys = new List<string>();
        while (await reader.ReadAsync())
        {
            keys.Add(reader.GetString(0));
        }

        return [.. keys];
    }
}
