using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;
using Orleans.Configuration;
using OrleansStream.Runtime.Hosting;
using OrleansStream.Runtime.Jobs;
using OrleansStream.Samples.IpCount;
using OrleansStream.Tests.Fixtures;
using Xunit.Abstractions;

namespace OrleansStream.Tests.Processes;

/// <summary>
/// Two real silo processes, configured only through their command line, form one cluster over a
/// PostgreSQL database (clustering, storage and reminders), and a client that finds them through
/// the membership table runs a checkpointed job on their slots to an exact committed output, also
/// when one silo is killed mid-job. Membership and reminders are tuned through the same command line
/// for recovery in seconds.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class TwoSiloProcessesTests(PostgresServer postgres, ITestOutputHelper output) : IAsyncLifetime
{
    private const int SlotsPerSilo = 2;
    private const int Lines = 3_000;
    private const int ActiveStatus = 3;

    private readonly string _directory = Directory.CreateTempSubdirectory("two-silo-processes-").FullName;
    private readonly string _clusterId = "procs-" + Guid.NewGuid().ToString("N")[..8];
    private readonly List<SiloProcess> _silos = [];
    private readonly List<int> _siloPorts = [];
    private string _connectionString = null!;

    private string InputPath => Path.Combine(_directory, "access.log");

    private string OutputPath => Path.Combine(_directory, "out");

    public async Task InitializeAsync()
    {
        WriteInput();
        _connectionString = await postgres.CreateDatabaseAsync("silos_" + Guid.NewGuid().ToString("N")[..8]);
        for (int i = 0; i < 2; i++)
        {
            int siloPort = FreePort.Next();
            _siloPorts.Add(siloPort);
            _silos.Add(SiloProcess.Start($"silo{i}", _directory, new Dictionary<string, string>
            {
                ["Clustering"] = "postgres",
                ["Storage"] = "postgres",
                ["Reminders"] = "postgres",
                ["Postgres"] = _connectionString,
                ["ClusterId"] = _clusterId,
                ["ServiceId"] = _clusterId,
                ["SiloPort"] = siloPort.ToString(CultureInfo.InvariantCulture),
                ["GatewayPort"] = FreePort.Next().ToString(CultureInfo.InvariantCulture),
                ["Slots"] = SlotsPerSilo.ToString(CultureInfo.InvariantCulture),
                // As RecoveryCluster: a killed silo is declared dead in about two seconds and a job
                // whose supervising silo died is picked up again by its reminder within seconds.
                ["Membership:ProbeTimeout"] = "00:00:00.5",
                ["Membership:NumMissedProbesLimit"] = "2",
                ["Membership:NumVotesForDeathDeclaration"] = "1",
                ["Membership:TableRefreshTimeout"] = "00:00:01",
                ["Membership:IAmAliveTablePublishTimeout"] = "00:00:02",
                ["Membership:DeathVoteExpirationTimeout"] = "00:00:10",
                ["ReminderService:MinimumReminderPeriod"] = "00:00:01",
                ["ReminderService:RefreshReminderListPeriod"] = "00:00:01",
                ["JobReminderPeriod"] = "00:00:02",
                ["JobSupervisionInterval"] = "00:00:00.05",
            }));
        }
    }

    public Task DisposeAsync()
    {
        foreach (var silo in _silos)
        {
            silo.Dispose();
        }

        Directory.Delete(_directory, recursive: true);
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Two_silo_processes_over_postgres_run_a_checkpointed_job_to_the_exact_committed_output()
    {
        await WithSiloOutputOnFailureAsync(async () =>
        {
            await WaitUntilBothActiveAsync();
            using var client = await StartClientAsync();
            var jobs = new StreamJobClient(client.Services.GetRequiredService<IClusterClient>());

            var submitted = await jobs.SubmitAsync(JobSubmission.For<IpCountJob>(3, Parameters(rate: 1_000)));
            var status = await WaitForCompletionAsync(jobs, submitted.JobId);

            Assert.Equal(JobState.Finished, status.State);
            Assert.True(status.Checkpoints.Completed >= 1, $"expected completed checkpoints, got {status.Checkpoints}");
            Assert.Equal(Expected(), CommittedOutput.Lines(Path.Combine(OutputPath, IpCountOptions.CountsDirectory)));
            await client.StopAsync(CancellationToken.None);
        });
    }

    [Fact]
    public async Task A_silo_process_killed_mid_job_leaves_the_job_to_the_other_with_the_same_committed_output()
    {
        await WithSiloOutputOnFailureAsync(async () =>
        {
            await WaitUntilBothActiveAsync();
            using var client = await StartClientAsync();
            var jobs = new StreamJobClient(client.Services.GetRequiredService<IClusterClient>());

            // Parallelism 2 fits on the survivor's two slots.
            var submitted = await jobs.SubmitAsync(JobSubmission.For<IpCountJob>(2, Parameters(rate: 500)));
            await WaitUntilAsync(() => CommittedOutput.Lines(Path.Combine(OutputPath, IpCountOptions.CountsDirectory)).Count > 0, "the first committed window results");
            var status = await jobs.GetStatusAsync(submitted.JobId);
            Assert.False(status.IsTerminal, $"the job should still run when a silo is killed, was {status.State}");

            // A silo that runs tasks but not the job grain if there is one (recovery by the job grain),
            // otherwise the job grain's own (recovery by its reminder on the other silo).
            var slots = status.Vertices.SelectMany(vertex => vertex.Slots).ToList();
            int Index(string silo) => _siloPorts.FindIndex(port => silo.Contains($":{port}:", StringComparison.Ordinal));
            int supervisor = Index(status.SupervisorSilo ?? "");
            int victim = slots.Select(Index).Where(index => index >= 0 && index != supervisor).DefaultIfEmpty(supervisor).First();
            Assert.True(victim >= 0, $"no silo of ports {string.Join(", ", _siloPorts)} among {string.Join(", ", slots)}");
            output.WriteLine($"killing {_silos[victim].Name} (supervisor {status.SupervisorSilo}) after {status.Checkpoints.Completed} checkpoints");
            _silos[victim].Kill();

            status = await WaitForCompletionAsync(jobs, submitted.JobId);

            Assert.Equal(JobState.Finished, status.State);
            Assert.True(status.Attempt >= 2, $"expected a restart, got attempt {status.Attempt}");
            Assert.Equal(Expected(), CommittedOutput.Lines(Path.Combine(OutputPath, IpCountOptions.CountsDirectory)));
            await client.StopAsync(CancellationToken.None);
        });
    }

    private async Task WithSiloOutputOnFailureAsync(Func<Task> test)
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

    /// <summary>
    /// Polls the job's status until it ends. A call may fail while the cluster has not yet declared a
    /// killed silo dead (the job grain or the client's gateway was there); that is retried until the deadline.
    /// </summary>
    private async Task<JobStatus> WaitForCompletionAsync(StreamJobClient jobs, string jobId)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(90);
        Exception? lastFailure = null;
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                var status = await jobs.GetStatusAsync(jobId);
                if (status.IsTerminal)
                {
                    output.WriteLine($"{status.State} after attempt {status.Attempt}: {status.Checkpoints}; {status.Failure}");
                    return status;
                }
            }
            catch (Exception ex) when (ex is OrleansException or TimeoutException)
            {
                lastFailure = ex;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(200));
        }

        throw new TimeoutException($"Waited 90 s for job {jobId} to end; last failure: {lastFailure?.Message}");
    }

    private static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Waited 30 s for {what}.");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(50));
        }
    }

    /// <summary>Both silos Active in the membership table: they joined one cluster over PostgreSQL.</summary>
    private async Task WaitUntilBothActiveAsync()
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
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
                throw new TimeoutException($"Waited 60 s for {_silos.Count} silos to be Active in the membership table.");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(200));
        }
    }

    private async Task<long> ActiveSilosAsync()
    {
        await using var connection = new NpgsqlConnection(_connectionString);
        await connection.OpenAsync();
        // The silos create the table at start; until then nobody is Active.
        await using var exists = new NpgsqlCommand("SELECT to_regclass('orleans_membership') IS NOT NULL", connection);
        if (await exists.ExecuteScalarAsync() is not true)
        {
            return 0;
        }

        await using var command = new NpgsqlCommand("SELECT count(*) FROM orleans_membership WHERE deployment_id = @cluster AND status = @active", connection);
        command.Parameters.AddWithValue("cluster", _clusterId);
        command.Parameters.AddWithValue("active", ActiveStatus);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>A client as the CLI's --postgres makes it: gateways from the membership table.</summary>
    private async Task<IHost> StartClientAsync()
    {
        var host = new HostBuilder()
            .UseOrleansClient(client =>
            {
                client.AddOrleansStreamPostgresClustering(_connectionString);
                // Drops a killed silo's gateway soon.
                client.Configure<GatewayOptions>(options => options.GatewayListRefreshPeriod = TimeSpan.FromSeconds(1));
                client.Configure<ClusterOptions>(options =>
                {
                    options.ClusterId = _clusterId;
                    options.ServiceId = _clusterId;
                });
            })
            .Build();
        try
        {
            await host.StartAsync();
            return host;
        }
        catch
        {
            host.Dispose();
            throw;
        }
    }

    private Dictionary<string, string> Parameters(int rate) => new()
    {
        ["input"] = InputPath,
        ["output"] = OutputPath,
        ["exactly-once"] = "true",
        ["checkpoint-interval"] = "0.2",
        ["window"] = "5",
        ["out-of-orderness"] = "5",
        ["source-parallelism"] = "1",
        // Slow enough for several checkpoints during the job (and a kill in its middle).
        ["rate"] = rate.ToString(CultureInfo.InvariantCulture),
    };

    /// <summary>Counts per IP and 5 s window, computed from the file: its lines are in time order, so none is late.</summary>
    private List<string> Expected()
        => File.ReadLines(InputPath)
            .Select(line => line.Split(' '))
            .GroupBy(parts => (Window: TimeSpan.ParseExact(parts[0], @"hh\:mm\:ss", CultureInfo.InvariantCulture).TotalSeconds is var seconds ? (long)seconds / 5 * 5 : 0, Ip: parts[1]))
            .Select(group => $"{TimeSpan.FromSeconds(group.Key.Window):hh\\:mm\\:ss} {group.Key.Ip} {group.Count()}")
            .Order(StringComparer.Ordinal)
            .ToList();

    /// <summary>Eight IPs, the clock moving 0 to 100 ms per line, in order.</summary>
    private void WriteInput()
    {
        var random = new Random(20261125);
        var time = TimeSpan.FromHours(8);
        var lines = new List<string>(Lines);
        for (int i = 0; i < Lines; i++)
        {
            time += TimeSpan.FromMilliseconds(random.Next(0, 101));
            lines.Add($"{time:hh\\:mm\\:ss} 10.0.0.{random.Next(1, 9)}");
        }

        File.WriteAllLines(InputPath, lines);
    }
}
