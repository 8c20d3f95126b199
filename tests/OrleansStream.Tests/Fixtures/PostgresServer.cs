using Npgsql;

namespace OrleansStream.Tests.Fixtures;

/// <summary>
/// A throwaway PostgreSQL cluster: initdb into a temp directory, started with pg_ctl on a free
/// loopback port (its socket in the same directory), durability switched off for speed. Stopped
/// with an immediate shutdown and deleted on dispose, or by a <see cref="ServerWatchdog"/> when the
/// test host dies first. PostgreSQL refuses
/// to run as root, so as root the server runs as the 'postgres' user.
/// </summary>
/// <remarks>Share one per test collection (<see cref="PostgresCollection"/>); give each test class its own database with <see cref="CreateDatabaseAsync"/>.</remarks>
public sealed class PostgresServer : IAsyncLifetime, IAsyncDisposable
{
    public const string DefaultDatabase = "orleansstream";
    private const string ServiceUser = "postgres";
    private const string HowToInstall = "Install the PostgreSQL 15 server (Debian: apt-get install -y postgresql-15) and put its bin directory (/usr/lib/postgresql/15/bin) on PATH.";
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(60);

    private string? _directory;
    private string _pgCtl = "pg_ctl";
    private string? _runuser;

    public int Port { get; private set; }

    /// <summary>The temp directory holding the data directory, the socket and the log; gone after dispose.</summary>
    public string RootDirectory => _directory ?? throw new InvalidOperationException("The server is not running.");

    /// <summary>The database created at start (<see cref="DefaultDatabase"/>).</summary>
    public string ConnectionString => ConnectionStringFor(DefaultDatabase);

    public string ConnectionStringFor(string database) => new NpgsqlConnectionStringBuilder
    {
        Host = "127.0.0.1",
        Port = Port,
        Username = ServiceUser,
        Database = database,
        Timeout = 15,
        IncludeErrorDetail = true,
    }.ToString();

    /// <param name="durable">Keep PostgreSQL's flushes, so that what it committed survives a crash (<see cref="RestartAsync"/>); the tests' servers skip them.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    public static async Task<PostgresServer> StartAsync(bool durable = false, CancellationToken cancellationToken = default)
    {
        var server = new PostgresServer();
        try
        {
            await server.StartCoreAsync(durable, cancellationToken);
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>Creates an empty database and returns its connection string. Names are lower-cased and reduced to letters, digits and '_'.</summary>
    public async Task<string> CreateDatabaseAsync(string name, CancellationToken cancellationToken = default)
    {
        var database = new string(name.ToLowerInvariant().Select(c => char.IsAsciiLetterOrDigit(c) ? c : '_').ToArray());
        database = database[..Math.Min(database.Length, 63)];
        await using var connection = new NpgsqlConnection(ConnectionStringFor("postgres"));
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand($"CREATE DATABASE \"{database}\"", connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
        return ConnectionStringFor(database);
    }

    async Task IAsyncLifetime.InitializeAsync()
    {
        try
        {
            await StartCoreAsync(durable: false, CancellationToken.None);
        }
        catch
        {
            await DisposeAsync();
            throw;
        }
    }

    Task IAsyncLifetime.DisposeAsync() => DisposeAsync().AsTask();

    public async ValueTask DisposeAsync()
    {
        if (_directory is null)
        {
            return;
        }

        try
        {
            if (File.Exists(Path.Combine(DataDirectory, "postmaster.pid")))
            {
                var (fileName, arguments) = StopCommand();
                await ProcessRunner.RunAsync(fileName, arguments, CommandTimeout);
            }
        }
        finally
        {
            DeleteDirectory();
        }
    }

    private string DataDirectory => Path.Combine(_directory!, "data");

    private async Task StartCoreAsync(bool durable, CancellationToken cancellationToken)
    {
        var initdb = ExecutableLocator.Require("initdb", HowToInstall);
        _pgCtl = ExecutableLocator.Require("pg_ctl", HowToInstall);
        _runuser = Environment.IsPrivilegedProcess ? ExecutableLocator.Require("runuser", "It comes with util-linux.") : null;

        _directory = Directory.CreateTempSubdirectory("orleansstream-pg-").FullName;
        if (_runuser is not null)
        {
            await ProcessRunner.RunAsync("chown", [$"{ServiceUser}:", _directory], CommandTimeout, cancellationToken);
        }

        await RunAsync(initdb, ["-D", DataDirectory, "-U", ServiceUser, "-A", "trust", "-E", "UTF8", "--no-locale", "--no-sync", "--no-instructions"], cancellationToken);
        await File.AppendAllLinesAsync(Path.Combine(DataDirectory, "postgresql.conf"),
        [
            "listen_addresses = '127.0.0.1'",
            $"unix_socket_directories = '{_directory}'",
            // The tests run clusters one after another, each silo process with a connection pool of its own
            // (up to 100 connections each): leave room beyond the default 100 for a three-silo cluster.
            "max_connections = 500",
        ], cancellationToken);
        if (!durable)
        {
            // A test database need not survive a crash: skip the flushes that make it durable.
            await File.AppendAllLinesAsync(Path.Combine(DataDirectory, "postgresql.conf"), ["fsync = off", "synchronous_commit = off", "full_page_writes = off"], cancellationToken);
        }

        // From here on the server may be running: make sure it is stopped even if the host dies.
        var (stopFileName, stopArguments) = StopCommand();
        ServerWatchdog.Start(
            stillRunning: $"[ -d {ServerWatchdog.Quote(_directory)} ]",
            cleanup: $"{ServerWatchdog.Command(stopFileName, stopArguments)}; rm -rf {ServerWatchdog.Quote(_directory)}");

        await StartOnFreePortAsync(cancellationToken);
        await using var connection = new NpgsqlConnection(ConnectionStringFor("postgres"));
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand($"CREATE DATABASE \"{DefaultDatabase}\"", connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private async Task StartOnFreePortAsync(CancellationToken cancellationToken)
    {
        // The port is free when chosen but another process can take it before the server binds: try a few.
        for (int attempt = 1; ; attempt++)
        {
            Port = FreePort.Next();
            try
            {
                await RunAsync(_pgCtl, ["-D", DataDirectory, "-l", Path.Combine(_directory!, "postgres.log"), "-o", $"-p {Port}", "-w", "-t", "30", "start"], cancellationToken);
                return;
            }
            catch (InvalidOperationException) when (attempt < 3 && ServerLog().Contains("could not bind", StringComparison.Ordinal))
            {
            }
            catch (InvalidOperationException exception)
            {
                throw new InvalidOperationException($"{exception.Message}\nServer log:\n{ServerLog()}", exception);
            }
        }
    }

    /// <summary>
    /// Stops the server at once, as a crash does, waits <paramref name="down"/>, and starts it again on the same port: only a
    /// <c>durable</c> server keeps all it committed through this.
    /// </summary>
    public async Task RestartAsync(TimeSpan down, CancellationToken cancellationToken = default)
    {
        await RunAsync(_pgCtl, ["-D", DataDirectory, "-m", "immediate", "-w", "stop"], cancellationToken);
        await Task.Delay(down, cancellationToken);
        await RunAsync(_pgCtl, ["-D", DataDirectory, "-l", Path.Combine(_directory!, "postgres.log"), "-o", $"-p {Port}", "-w", "-t", "30", "start"], cancellationToken);
    }

    private string ServerLog()
    {
        var log = Path.Combine(_directory!, "postgres.log");
        return File.Exists(log) ? File.ReadAllText(log) : string.Empty;
    }

    private (string FileName, string[] Arguments) StopCommand() => WithServiceUser(_pgCtl, ["-D", DataDirectory, "-m", "immediate", "-w", "stop"]);

    private Task<string> RunAsync(string program, string[] arguments, CancellationToken cancellationToken)
    {
        var (fileName, all) = WithServiceUser(program, arguments);
        return ProcessRunner.RunAsync(fileName, all, CommandTimeout, cancellationToken);
    }

    private (string FileName, string[] Arguments) WithServiceUser(string program, string[] arguments)
        => _runuser is not null ? (_runuser, ["-u", ServiceUser, "--", program, .. arguments]) : (program, arguments);

    private void DeleteDirectory()
    {
        try
        {
            Directory.Delete(_directory!, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }

        _directory = null;
    }
}
