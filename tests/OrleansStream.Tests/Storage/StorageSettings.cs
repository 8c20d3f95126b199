namespace OrleansStream.Tests.Storage;

/// <summary>
/// What a test cluster's silos persist where. TestingHost builds silos from configurator types, so
/// the settings travel as configuration properties.
/// </summary>
public sealed record StorageSettings
{
    public string? SqlitePath { get; init; }

    public string? PostgresStorage { get; init; }

    public string? PostgresReminders { get; init; }

    public string? PostgresClustering { get; init; }

    public bool MemoryStorage { get; init; }

    private const string Prefix = "OrleansStreamTests:";

    public void WriteTo(IDictionary<string, string?> properties)
    {
        Put(properties, nameof(SqlitePath), SqlitePath);
        Put(properties, nameof(PostgresStorage), PostgresStorage);
        Put(properties, nameof(PostgresReminders), PostgresReminders);
        Put(properties, nameof(PostgresClustering), PostgresClustering);
        Put(properties, nameof(MemoryStorage), MemoryStorage ? "true" : null);
    }

    public static StorageSettings ReadFrom(Microsoft.Extensions.Configuration.IConfiguration configuration) => new()
    {
        SqlitePath = configuration[Prefix + nameof(SqlitePath)],
        PostgresStorage = configuration[Prefix + nameof(PostgresStorage)],
        PostgresReminders = configuration[Prefix + nameof(PostgresReminders)],
        PostgresClustering = configuration[Prefix + nameof(PostgresClustering)],
        MemoryStorage = configuration[Prefix + nameof(MemoryStorage)] == "true",
    };

    private static void Put(IDictionary<string, string?> properties, string name, string? value)
    {
        if (value is not null)
        {
            properties[Prefix + name] = value;
        }
    }
}
