using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Orleans.Configuration;
using Orleans.TestingHost;
using OrleansStream.Client;
using OrleansStream.Contracts.Jobs;
using OrleansStream.Runtime.Hosting;
using OrleansStream.Tests.Fixtures;

namespace OrleansStream.Tests.Cluster;

/// <summary>
/// Three in-process silos with two task slots each whose membership, reminders, checkpoints and job
/// state live in a PostgreSQL database of its own, so that any silo, the job grain's included, can be
/// killed. Membership is tuned to declare a killed silo dead in about four seconds (three missed probes of
/// a second each), a margin that a silo starved of CPU on a loaded CI machine still answers within, so
/// that no silo is declared dead that the test did not kill; production keeps Orleans' defaults (probe
/// timeout 5 s, 3 missed probes), which trade a slower recovery for fewer false suspicions on a busy network.
/// </summary>
public sealed class RecoveryCluster : IAsyncDisposable
{
    public const int Silos = 3;
    public const int SlotsPerSilo = 2;

    private readonly string _connectionString;

    private RecoveryCluster(TestCluster cluster, string connectionString)
    {
        Cluster = cluster;
        _connectionString = connectionString;
    }

    public TestCluster Cluster { get; }

    /// <summary>The cluster's own database, where jobs' sinks may write too.</summary>
    public string ConnectionString => _connectionString;

    public StreamJobClient Jobs => new(Cluster.GrainFactory);

    /// <param name="postgres">The server of the cluster's database.</param>
    /// <param name="database">The cluster's database, created here.</param>
    /// <param name="jobReminderPeriod">How often a job's supervision reminder fires: 2 s unless given.</param>
    public static async Task<RecoveryCluster> StartAsync(PostgresServer postgres, string database, TimeSpan? jobReminderPeriod = null)
    {
        var connectionString = await postgres.CreateDatabaseAsync(database);
        var builder = new TestClusterBuilder(Silos);
        builder.Options.UseTestClusterMembership = false;
        builder.Properties[ConnectionKey] = connectionString;
        builder.Properties[ReminderPeriodKey] = (jobReminderPeriod ?? TimeSpan.FromSeconds(2)).ToString("c");
        builder.AddSiloBuilderConfigurator<SiloConfigurator>();
        builder.AddClientBuilderConfigurator<ClientConfigurator>();
        var cluster = builder.Build();
        try
        {
            await cluster.DeployAsync();
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }

        return new RecoveryCluster(cluster, connectionString);
    }

    /// <summary>Kills the silo (no graceful shutdown: its grains and messages are simply gone).</summary>
    public Task KillAsync(SiloHandle silo) => Cluster.KillSiloAsync(silo);

    public SiloHandle SiloOf(string siloAddress) => Cluster.Silos.Single(s => s.SiloAddress.ToString() == siloAddress);

    /// <summary>
    /// A silo that runs tasks of the job but not its job grain (killing that one has tests of its own): the
    /// first such silo, or a seeded random one. Fails if the job's tasks all run beside its job grain.
    /// </summary>
    public SiloHandle TaskSiloOf(JobStatus status, Random? random = null)
    {
        var candidates = Cluster.Silos
            .Where(s => s.SiloAddress.ToString() != status.SupervisorSilo && status.Vertices.SelectMany(v => v.Slots).Contains(s.SiloAddress.ToString()))
            .ToList();
        Assert.True(candidates.Count > 0, $"every task of job {status.JobId} runs on its job grain's silo {status.SupervisorSilo}");
        return random is null ? candidates[0] : candidates[random.Next(candidates.Count)];
    }

    /// <summary>Waits until no silo holds an activation of a task of <paramref name="jobId"/>: the job's tasks were released.</summary>
    public async Task WaitUntilNoTasksOfAsync(string jobId, TimeSpan timeout)
    {
        var management = Cluster.GrainFactory.GetGrain<IManagementGrain>(0);
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var tasks = (await management.GetDetailedGrainStatistics())
                .Where(g => g.GrainType.Contains("TaskGrain", StringComparison.Ordinal) && g.GrainId.Key.ToString()!.StartsWith(jobId + "/", StringComparison.Ordinal))
                .Select(g => $"{g.GrainId} on {g.SiloAddress}")
                .ToList();
            if (tasks.Count == 0)
            {
                return;
            }

            Assert.True(DateTime.UtcNow < deadline, $"tasks of job {jobId} still active after {timeout.TotalMinutes:0.#} min: {string.Join(", ", tasks)}");
            await Task.Delay(TimeSpan.FromMilliseconds(100));
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await Cluster.StopAllSilosAsync();
        }
        finally
        {
            await Cluster.DisposeAsync();

            // Each cluster has its own database and so its own connection pool; idle connections would pile up to the server's limit.
            using var connection = new NpgsqlConnection(_connectionString);
            NpgsqlConnection.ClearPool(connection);
        }
    }

    private const string ConnectionKey = "RecoveryCluster:Postgres";
    private const string ReminderPeriodKey = "RecoveryCluster:JobReminderPeriod";

    private sealed class SiloConfigurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder siloBuilder)
        {
            var connectionString = siloBuilder.Configuration[ConnectionKey]!;
            siloBuilder.AddOrleansStream(options =>
            {
                options.JobReminderPeriod = TimeSpan.Parse(siloBuilder.Configuration[ReminderPeriodKey]!, System.Globalization.CultureInfo.InvariantCulture);
                options.JobSupervisionInterval = TimeSpan.FromMilliseconds(50);

                // A live rescale in small steps with a pause between them: long enough to kill a silo while key groups move.
                options.RescaleKeyGroupsPerStep = 4;
                options.RescaleStepInterval = TimeSpan.FromMilliseconds(25);

                // Reactive mode waits a second for the slots to settle, not Flink's ten.
                options.ReactiveStabilization = TimeSpan.FromSeconds(1);
            });
            siloBuilder.UseTaskSlots(SlotsPerSilo);
            siloBuilder.AddOrleansStreamPostgresStorage(connectionString);
            siloBuilder.AddOrleansStreamPostgresReminders(connectionString);
            siloBuilder.AddOrleansStreamPostgresClustering(connectionString);
            siloBuilder.Configure<ReminderOptions>(options =>
            {
                options.MinimumReminderPeriod = TimeSpan.FromSeconds(1);
                options.RefreshReminderListPeriod = TimeSpan.FromSeconds(1);
            });
            siloBuilder.Configure<ClusterMembershipOptions>(options =>
            {
                options.ProbeTimeout = TimeSpan.FromSeconds(1);
                options.NumMissedProbesLimit = 3;
                options.NumVotesForDeathDeclaration = 1;
                options.TableRefreshTimeout = TimeSpan.FromSeconds(1);
                options.IAmAliveTablePublishTimeout = TimeSpan.FromSeconds(2);
                options.DeathVoteExpirationTimeout = TimeSpan.FromSeconds(10);
            });
        }
    }

    private sealed class ClientConfigurator : IClientBuilderConfigurator
    {
        public void Configure(Microsoft.Extensions.Configuration.IConfiguration configuration, IClientBuilder clientBuilder)
            => clientBuilder.AddOrleansStreamPostgresClustering(configuration[ConnectionKey]!)
                .Configure<GatewayOptions>(options => options.GatewayListRefreshPeriod = TimeSpan.FromSeconds(1));
    }
}
