using OrleansStream.Runtime.Hosting;

namespace OrleansStream.Benchmarks;

/// <summary>Where a benchmark silo keeps its checkpoints: a name for the tables and how to add it to a silo.</summary>
internal sealed record CheckpointStorage(string Name, Action<ISiloBuilder> Add)
{
    public static CheckpointStorage Sqlite(string path) => new("SQLite", silo => silo.AddOrleansStreamSqliteStorage(path));

    public static CheckpointStorage Postgres(string connectionString) => new("PostgreSQL", silo => silo.AddOrleansStreamPostgresStorage(connectionString));
}
