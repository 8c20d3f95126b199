using System.Collections.Concurrent;
using StackExchange.Redis;

namespace OrleansStream.Connectors.Redis;

/// <summary>
/// One <see cref="ConnectionMultiplexer"/> per connection string per process, shared by every Redis source and
/// sink subtask of every job: a multiplexer is meant to be shared, and a silo runs many subtasks. Connected on
/// first use; a failed connection is forgotten so that the next use tries again. Kept for the process lifetime.
/// </summary>
internal static class RedisConnections
{
    private static readonly ConcurrentDictionary<string, Lazy<Task<ConnectionMultiplexer>>> s_connections = new(StringComparer.Ordinal);

    public static async Task<IDatabase> GetDatabaseAsync(string connectionString, CancellationToken cancellationToken)
    {
        var connection = s_connections.GetOrAdd(
            connectionString,
            static key => new Lazy<Task<ConnectionMultiplexer>>(() => ConnectAsync(key), LazyThreadSafetyMode.ExecutionAndPublication));
        try
        {
            var multiplexer = await connection.Value.WaitAsync(cancellationToken).ConfigureAwait(false);
            return multiplexer.GetDatabase();
        }
        catch (Exception) when (!cancellationToken.IsCancellationRequested && connection.Value.IsFaulted)
        {
            s_connections.TryRemove(KeyValuePair.Create(connectionString, connection));
            throw;
        }
    }

    /// <summary>Parses a connection string up front so that a typo fails when the job is built, not when it runs.</summary>
    public static string Validate(string connectionString, string parameterName)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString, parameterName);
        ConfigurationOptions options;
        try
        {
            options = ConfigurationOptions.Parse(connectionString);
        }
        catch (ArgumentException ex)
        {
            // The message of the parser names the bad option; the connection string itself may hold a password.
            throw new ArgumentException($"The Redis connection string is invalid: {ex.Message}", parameterName, ex);
        }

        if (options.EndPoints.Count == 0)
        {
            throw new ArgumentException("The Redis connection string names no server; expected host:port, e.g. \"localhost:6379\".", parameterName);
        }

        return connectionString;
    }

    /// <summary>The connection string without its password, for error messages.</summary>
    public static string Describe(string connectionString) => ConfigurationOptions.Parse(connectionString).ToString(includePassword: false);

    private static async Task<ConnectionMultiplexer> ConnectAsync(string connectionString)
    {
        try
        {
            // ConfigureAwait(false): the connection outlives the grain that happened to open it.
            return await ConnectionMultiplexer.ConnectAsync(connectionString).ConfigureAwait(false);
        }
        catch (RedisConnectionException ex)
        {
            throw new IOException($"Cannot connect to Redis ({Describe(connectionString)}): {ex.Message}", ex);
        }
    }
}
