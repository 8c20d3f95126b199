using Npgsql;

namespace OrleansStream.Tests.Fixtures;

/// <summary>
/// A podman network of a test's own, as a pod network: containers on it get addresses of their own in its subnet and
/// reach each other there, and PostgreSQL runs in a container on it (the test image that
/// tests/tools/build-postgres-image.sh builds). The host reaches the containers' addresses through the network's
/// bridge. Removed on dispose, and by a watchdog if the test host dies.
/// </summary>
internal sealed class PodmanNetwork : IAsyncDisposable
{
    public const string PostgresImage = "localhost/orleansstream-test-postgres:15";

    private static readonly TimeSpan CommandTimeout = TimeSpan.FromMinutes(2);

    private readonly string _prefix;

    private PodmanNetwork(string name, string prefix)
    {
        Name = name;
        _prefix = prefix;
    }

    public string Name { get; }

    private string PostgresContainer => Name + "-postgres";

    /// <summary>The address of host <paramref name="number"/> (2 to 254) of the network's /24 subnet; 2 is PostgreSQL's.</summary>
    public string Address(int number) => _prefix + number;

    public static async Task<PodmanNetwork> StartAsync(string name)
    {
        // A subnet no other network of this machine uses: podman refuses one that overlaps.
        string network = $"{name}-{Guid.NewGuid().ToString("N")[..6]}";
        for (int attempt = 0; ; attempt++)
        {
            string prefix = $"10.{Random.Shared.Next(100, 250)}.{Random.Shared.Next(1, 250)}.";
            try
            {
                await PodmanAsync("network", "create", "--subnet", prefix + "0/24", network);
                var created = new PodmanNetwork(network, prefix);
                ServerWatchdog.Start(
                    stillRunning: $"podman network exists {network}",
                    cleanup: $"podman rm -f {created.PostgresContainer} >/dev/null 2>&1; podman network rm -f {network}");
                await created.StartPostgresAsync();
                return created;
            }
            catch (InvalidOperationException) when (attempt < 3)
            {
                await PodmanAsync("network", "rm", "-f", network);
            }
        }
    }

    /// <summary>A new database in the network's PostgreSQL; its connection string, which the host and the containers alike can use.</summary>
    public async Task<string> CreateDatabaseAsync(string database)
    {
        await using var connection = new NpgsqlConnection(ConnectionString("postgres"));
        await connection.OpenAsync();
        await using var create = new NpgsqlCommand($"CREATE DATABASE \"{database}\"", connection);
        await create.ExecuteNonQueryAsync();
        return ConnectionString(database);
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await PodmanAsync("rm", "-f", PostgresContainer);
        await PodmanAsync("network", "rm", "-f", Name);
    }

    public static Task<string> PodmanAsync(params string[] arguments) => ProcessRunner.RunAsync("podman", arguments, CommandTimeout);

    private string ConnectionString(string database) => $"Host={Address(2)};Port=5432;Username=postgres;Database={database};Timeout=5";

    private async Task StartPostgresAsync()
    {
        await PodmanAsync("run", "-d", "--rm", "--name", PostgresContainer, "--network", Name, "--ip", Address(2), PostgresImage);
        var deadline = DateTime.UtcNow + CommandTimeout;
        while (true)
        {
            try
            {
                await using var connection = new NpgsqlConnection(ConnectionString("postgres"));
                await connection.OpenAsync();
                return;
            }
            catch (Exception ex) when (ex is NpgsqlException or TimeoutException && DateTime.UtcNow < deadline)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(200));
            }
        }
    }
}
