using System.Globalization;
using Npgsql;
using OrleansStream.Tests.Fixtures;
using Xunit.Abstractions;

namespace OrleansStream.Tests.Processes;

/// <summary>
/// Real silo processes (or containers of the silo image), configured only through their command line, that form one
/// cluster over a PostgreSQL database (clustering, storage and reminders), with membership and reminders tuned for
/// recovery in seconds. Every process is killed on dispose, and by a watchdog if the test host dies.
/// </summary>
internal sealed class SiloProcessCluster : IDisposable
{
    private const int ActiveStatus = 3;
    private readonly List<SiloProcess> _silos = [];
    private readonly List<int> _siloPorts = [];
    private readonly List<int> _gatewayPorts = [];
    private readonly List<int> _healthPorts = [];
    private readonly string? _image;
    private readonly PodmanNetwork? _network;

    private SiloProcessCluster(string directory, string connectionString, string clusterId, string? image, PodmanNetwork? network)
    {
        Directory = directory;
        ConnectionString = connectionString;
        ClusterId = clusterId;
        _image = image;
        _network = network;
    }

    /// <summary>The silos' working directory, also the test's scratch space; deleted on dispose.</summary>
    public string Directory { get; }

    public string ConnectionString { get; }

    public string ClusterId { get; }

    public IReadOnlyList<SiloProcess> Silos => _silos;

    public IReadOnlyList<int> GatewayPorts => _gatewayPorts;

    /// <summary>The HTTP port of each silo's health endpoints.</summary>
    public IReadOnlyList<int> HealthPorts => _healthPorts;

    /// <summary>The options the orleansstream command needs to reach this cluster.</summary>
    public string[] CliOptions => ["--postgres", ConnectionString, "--cluster-id", ClusterId, "--service-id", ClusterId];

    /// <summary>
    /// The arguments of <c>podman</c> that run the CLI image on the cluster's network (or the host's), with the cluster's
    /// directory and <paramref name="readOnly"/> directories mounted at their own paths.
    /// </summary>
    public IReadOnlyList<string> CliContainer(string image, params string[] readOnly)
        => ["run", "--rm", "--read-only", "--network", _network?.Name ?? "host", "-v", $"{Directory}:{Directory}", .. readOnly.SelectMany(d => new[] { "-v", $"{d}:{d}:ro" }), image];

    /// <param name="postgres">The server of the cluster's database.</param>
    /// <param name="name">The cluster's name, in its id, database and directory.</param>
    /// <param name="silos">How many silos start.</param>
    /// <param name="slotsPerSilo">Task slots per silo.</param>
    /// <param name="image">The silo image to run each silo from in a podman container; null, silo processes.</param>
    /// <param name="setup">What a test adds to each silo (by name, with the cluster's id) before it starts.</param>
    /// <param name="network">
    /// A pod network for containerized silos, with the cluster's database in its PostgreSQL instead of <paramref name="postgres"/>:
    /// each silo gets an address of its own there and advertises it. Null, the host's network.
    /// </param>
    public static async Task<SiloProcessCluster> StartAsync(
        PostgresServer postgres, string name, int silos, int slotsPerSilo, string? image = null, Func<string, string, Task<SiloSetup>>? setup = null,
        PodmanNetwork? network = null)
    {
        var directory = System.IO.Directory.CreateTempSubdirectory(name + "-").FullName;
        if (image is not null && !OperatingSystem.IsWindows())
        {
            // The containers' user (10001) writes the jobs' output here.
            File.SetUnixFileMode(directory, (UnixFileMode)0b111_111_111);
        }

        var clusterId = name + "-" + Guid.NewGuid().ToString("N")[..8];
        string database = clusterId.Replace('-', '_');
        var connectionString = network is null ? await postgres.CreateDatabaseAsync(database) : await network.CreateDatabaseAsync(database);
        var cluster = new SiloProcessCluster(directory, connectionString, clusterId, image, network);
        for (int i = 0; i < silos; i++)
        {
            string silo = $"silo{i}";
            cluster.StartSilo(silo, slotsPerSilo, setup is null ? null : await setup(silo, clusterId));
        }

        return cluster;
    }

    /// <summary>Starts one more silo (as a rolling update adds a pod), with <paramref name="slots"/> task slots; returns its index.</summary>
    public int AddSilo(int slots)
    {
        StartSilo($"silo{_silos.Count}", slots, setup: null);
        return _silos.Count - 1;
    }

    /// <summary>Waits until silo <paramref name="silo"/> is Active in the membership table.</summary>
    public async Task WaitUntilActiveAsync(int silo)
    {
        var deadline = DateTime.UtcNow + JobWatch.Patience;
        while (await MembershipStatusAsync(silo) != ActiveStatus)
        {
            Assert.False(_silos[silo].HasExited, $"Silo {_silos[silo].Name} exited before joining the cluster.");
            Assert.True(DateTime.UtcNow < deadline, $"Silo {_silos[silo].Name} not Active after {JobWatch.Patience.TotalMinutes} min.");
            await Task.Delay(TimeSpan.FromMilliseconds(200));
        }
    }

    /// <summary>The index of the silo whose address (as status shows it, <c>ip:port:generation</c>) is <paramref name="silo"/>, or -1.</summary>
    public int IndexOf(string silo) => _siloPorts.FindIndex(port => silo.Contains($":{port}:", StringComparison.Ordinal) || silo.EndsWith($":{port}", StringComparison.Ordinal));

    /// <summary>Every silo Active in the membership table: they joined one cluster over PostgreSQL.</summary>
    public async Task WaitUntilActiveAsync()
    {
        var deadline = DateTime.UtcNow + JobWatch.Patience;
        while (true)
        {
            if (_silos.FirstOrDefault(silo => silo.HasExited) is { } exited)
            {
                throw new InvalidOperationException($"Silo {exited.Name} exited before joining the cluster.");
            }

            if (await ActiveSilosAsync() == _silos.Count)
            {
                return;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Waited {JobWatch.Patience.TotalMinutes} min for {_silos.Count} silos to be Active in the membership table.");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(200));
        }
    }

    /// <summary>Runs the test and, if it fails, writes the silos' last output lines to the test's output.</summary>
    public async Task WithOutputOnFailureAsync(ITestOutputHelper output, Func<Task> test)
    {
        try
        {
            await test();
        }
        catch
        {
            foreach (var silo in _silos)
            {
                output.WriteLine(silo.Output());
            }

            throw;
        }
    }

    public void Dispose()
    {
        foreach (var silo in _silos)
        {
            silo.Dispose();
        }

        System.IO.Directory.Delete(Directory, recursive: true);
    }

    /// <summary>
    /// As RecoveryCluster: a killed silo is declared dead in about four seconds, with a margin a silo starved of CPU still
    /// answers within.
    /// </summary>
    private static readonly Dictionary<string, string> FastMembership = new()
    {
        ["Membership:ProbeTimeout"] = "00:00:01",
        ["Membership:NumMissedProbesLimit"] = "3",
        ["Membership:NumVotesForDeathDeclaration"] = "1",
        ["Membership:TableRefreshTimeout"] = "00:00:01",
        ["Membership:IAmAliveTablePublishTimeout"] = "00:00:02",
        ["Membership:DeathVoteExpirationTimeout"] = "00:00:10",
    };

    private void StartSilo(string name, int slots, SiloSetup? setup)
    {
        int siloPort = FreePort.Next(), gatewayPort = FreePort.Next(), healthPort = FreePort.Next();
        _siloPorts.Add(siloPort);
        _gatewayPorts.Add(gatewayPort);
        _healthPorts.Add(healthPort);
        var jobAssembly = typeof(OrleansStream.Samples.IpCount.IpCountJob).Assembly.Location;
        var settings = new Dictionary<string, string>
        {
            ["Clustering"] = "postgres",
            ["Storage"] = "postgres",
            ["Reminders"] = "postgres",
            ["Postgres"] = ConnectionString,
            ["ClusterId"] = ClusterId,
            ["ServiceId"] = ClusterId,
            ["SiloPort"] = siloPort.ToString(CultureInfo.InvariantCulture),
            ["GatewayPort"] = gatewayPort.ToString(CultureInfo.InvariantCulture),
            ["HealthPort"] = healthPort.ToString(CultureInfo.InvariantCulture),
            ["Slots"] = slots.ToString(CultureInfo.InvariantCulture),
            // A job whose supervising silo died is picked up again by its reminder within seconds.
            ["ReminderService:MinimumReminderPeriod"] = "00:00:01",
            ["ReminderService:RefreshReminderListPeriod"] = "00:00:01",
            ["JobReminderPeriod"] = "00:00:02",
            ["JobSupervisionInterval"] = "00:00:00.05",
            // The sample job class reaches the silos as a user's deployed job assembly does: named in configuration.
            ["JobAssemblies:0"] = jobAssembly,
        };
        foreach (var (key, value) in (setup is { DefaultProbes: true } ? [] : FastMembership).Concat(setup?.Settings ?? new Dictionary<string, string>()))
        {
            settings[key] = value;
        }

        IReadOnlyList<string>? network = null;
        if (_network is not null)
        {
            // An address of its own, which it advertises, as a pod's; its health port published to the host for the probes.
            string address = _network.Address(10 + _silos.Count);
            settings["AdvertisedAddress"] = address;
            network = ["--network", _network.Name, "--ip", address, "-p", $"127.0.0.1:{healthPort}:{healthPort}"];
        }

        _silos.Add(SiloProcess.Start(name, Directory, settings, _image, [Path.GetDirectoryName(jobAssembly)!], setup?.Environment, network));
    }

    /// <summary>Silo <paramref name="silo"/>'s status in the membership table (Orleans' SiloStatus: 3 Active, 6 Dead), or null before it is there.</summary>
    public async Task<int?> MembershipStatusAsync(int silo)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT status FROM orleans_membership WHERE deployment_id = @cluster AND port = @port ORDER BY generation DESC LIMIT 1", connection);
        command.Parameters.AddWithValue("cluster", ClusterId);
        command.Parameters.AddWithValue("port", _siloPorts[silo]);
        return await command.ExecuteScalarAsync() as int?;
    }

    private async Task<long> ActiveSilosAsync()
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        // The silos create the table at start; until then nobody is Active.
        await using var exists = new NpgsqlCommand("SELECT to_regclass('orleans_membership') IS NOT NULL", connection);
        if (await exists.ExecuteScalarAsync() is not true)
        {
            return 0;
        }

        await using var command = new NpgsqlCommand("SELECT count(*) FROM orleans_membership WHERE deployment_id = @cluster AND status = @active", connection);
        command.Parameters.AddWithValue("cluster", ClusterId);
        command.Parameters.AddWithValue("active", ActiveStatus);
        return (long)(await command.ExecuteScalarAsync())!;
    }
}

/// <summary>
/// What a test adds to one silo of a <see cref="SiloProcessCluster"/>: settings over the cluster's, environment variables
/// (a pod's), and whether membership keeps Orleans' default probes instead of the cluster's fast ones.
/// </summary>
internal sealed record SiloSetup(IReadOnlyDictionary<string, string> Settings, IReadOnlyDictionary<string, string> Environment, bool DefaultProbes = false);
