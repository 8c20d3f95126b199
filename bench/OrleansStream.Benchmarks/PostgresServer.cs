using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace OrleansStream.Benchmarks;

/// <summary>
/// A throwaway PostgreSQL server for the checkpoint benchmarks, started the way the test fixture
/// (tests/.../Fixtures/PostgresServer.cs) starts one: initdb into a temp directory, pg_ctl on a free
/// loopback port, as the 'postgres' user when this process is root (PostgreSQL refuses root). Unlike
/// the fixture it keeps PostgreSQL's durability settings (fsync, synchronous commit) unless told
/// otherwise: checkpoint write times are only worth reporting against a server that flushes.
/// </summary>
internal sealed class PostgresServer : IAsyncDisposable
{
    private const string ServiceUser = "postgres";
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(60);
    private readonly string _directory;
    private readonly bool _asServiceUser;
    private int _port;

    private PostgresServer(string directory, bool asServiceUser)
    {
        _directory = directory;
        _asServiceUser = asServiceUser;
    }

    private string DataDirectory => Path.Combine(_directory, "data");

    public static async Task<PostgresServer> StartAsync(bool durable)
    {
        var server = new PostgresServer(Directory.CreateTempSubdirectory("orleansstream-bench-pg-").FullName, Environment.IsPrivilegedProcess);
        try
        {
            await server.StartCoreAsync(durable);
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>Creates an empty database and returns its connection string.</summary>
    public async Task<string> CreateDatabaseAsync(string name)
    {
        await using (var connection = new NpgsqlConnection(ConnectionStringFor("postgres")))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
            await command.ExecuteNonQueryAsync();
        }

        return ConnectionStringFor(name);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (File.Exists(Path.Combine(DataDirectory, "postmaster.pid")))
            {
                await RunAsync("pg_ctl", ["-D", DataDirectory, "-m", "immediate", "-w", "stop"]);
            }
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            try
            {
                Directory.Delete(_directory, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    private string ConnectionStringFor(string database) => new NpgsqlConnectionStringBuilder
    {
        Host = "127.0.0.1",
        Port = _port,
        Username = ServiceUser,
        Database = database,
        Timeout = 15,
    }.ToString();

    private async Task StartCoreAsync(bool durable)
    {
        if (_asServiceUser)
        {
            await RunRawAsync("chown", [$"{ServiceUser}:", _directory]);
        }

        await RunAsync("initdb", ["-D", DataDirectory, "-U", ServiceUser, "-A", "trust", "-E", "UTF8", "--no-locale", "--no-instructions"]);
        var settings = new List<string> { "listen_addresses = '127.0.0.1'", $"unix_socket_directories = '{_directory}'" };
        if (!durable)
        {
            settings.AddRange(["fsync = off", "synchronous_commit = off", "full_page_writes = off"]);
        }

        await File.AppendAllLinesAsync(Path.Combine(DataDirectory, "postgresql.conf"), settings);
        _port = FreePort();
        await RunAsync("pg_ctl", ["-D", DataDirectory, "-l", Path.Combine(_directory, "postgres.log"), "-o", $"-p {_port}", "-w", "-t", "30", "start"]);

        // If the benchmark dies without disposing, the server must not outlive it.
        AppDomain.CurrentDomain.ProcessExit += (_, _) => StopBlocking();
    }

    private void StopBlocking()
    {
        if (!File.Exists(Path.Combine(DataDirectory, "postmaster.pid")))
        {
            return;
        }

        var (fileName, arguments) = WithServiceUser("pg_ctl", ["-D", DataDirectory, "-m", "immediate", "-w", "stop"]);
        using var process = Process.Start(new ProcessStartInfo(fileName, arguments) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true });
        process?.WaitForExit(TimeSpan.FromSeconds(10));
    }

    private Task RunAsync(string program, string[] arguments)
    {
        var (fileName, all) = WithServiceUser(program, arguments);
        return RunRawAsync(fileName, all);
    }

    private (string FileName, string[] Arguments) WithServiceUser(string program, string[] arguments)
        => _asServiceUser ? ("runuser", ["-u", ServiceUser, "--", program, .. arguments]) : (program, arguments);

    private static async Task RunRawAsync(string fileName, string[] arguments)
    {
        var startInfo = new ProcessStartInfo(fileName, arguments) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(startInfo) ?? throw new InvalidOperationException($"Could not start {fileName}.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(CommandTimeout);
        await process.WaitForExitAsync(timeout.Token);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"'{fileName} {string.Join(' ', arguments)}' exited with code {process.ExitCode}:\n{await output}{await error}");
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
