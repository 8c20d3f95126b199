using System.Collections.Concurrent;
using Npgsql;

namespace OrleansStream.Connectors.Postgres;

/// <summary>
/// One <see cref="NpgsqlDataSource"/> (one connection pool) per connection string per process, shared by every
/// PostgreSQL sink subtask of every job in the silo. Kept for the process lifetime.
/// </summary>
internal static class PostgresDataSources
{
    private static readonly ConcurrentDictionary<string, Lazy<NpgsqlDataSource>> s_sources = new(StringComparer.Ordinal);

    public static NpgsqlDataSource Get(string connectionString)
        => s_sources.GetOrAdd(
            connectionString,
            static key => new Lazy<NpgsqlDataSource>(() => NpgsqlDataSource.Create(key), LazyThreadSafetyMode.ExecutionAndPublication)).Value;

    /// <summary>Parses a connection string up front so that a typo fails when the job is built, not when it commits.</summary>
    public static string Validate(string connectionString, string parameterName)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString, parameterName);
        try
        {
            _ = new NpgsqlConnectionStringBuilder(connectionString);
        }
        catch (ArgumentException ex)
        {
            // The parser's message names the bad keyword; the connection string itself may hold a password.
            throw new ArgumentException($"The PostgreSQL connection string is invalid: {ex.Message}", parameterName, ex);
        }

        return connectionString;
    }

    /// <summary>Host, port and database, for error messages (never the password).</summary>
    public static string Describe(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        return $"{builder.Host}:{builder.Port}/{builder.Database}";
    }
}
