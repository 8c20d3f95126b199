using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using Orleans.Configuration;
using Orleans.Serialization;
using OrleansStream.Client;
using OrleansStream.Contracts.Jobs;
using OrleansStream.Runtime.Hosting;
using OrleansStream.Runtime.Jobs;

namespace OrleansStream.Benchmarks;

/// <summary>
/// Three silos, each a child process running this benchmark in <see cref="RecoverySiloProcess"/> mode,
/// over one PostgreSQL database (membership, reminders, checkpoints), and a cluster client in this
/// process. A silo is killed with SIGKILL.
/// </summary>
internal sealed class RecoveryBenchCluster : IAsyncDisposable
{
    public const int Silos = 3;
    private readonly Dictionary<string, Process> _silos;
    private readonly IHost _client;
    private readonly string _connectionString;

    private RecoveryBenchCluster(Dictionary<string, Process> silos, IHost client, string connectionString)
    {
        _silos = silos;
        _client = client;
        _connectionString = connectionString;
    }

    public StreamJobClient Jobs => new(_client.Services.GetRequiredService<IClusterClient>());

    public static async Task<RecoveryBenchCluster> StartAsync(string connectionString, MembershipProfile profile)
    {
        string clusterId = $"recovery-{Guid.NewGuid():N}";
        var silos = new Dictionary<string, Process>();
        IHost? client = null;
        try
        {
            // One at a time: the first creates the schema, and each joins a cluster that already has a member.
            for (int i = 0; i < Silos; i++)
            {
                var (address, process) = await StartSiloAsync(connectionString, clusterId, profile);
                silos[address] = process;
            }

            client = Host.CreateDefaultBuilder()
                .ConfigureLogging(logging => logging.SetMinimumLevel(LogLevel.Error))
                .UseOrleansClient(builder => builder
                    .Configure<ClusterOptions>(options =>
                    {
                        options.ClusterId = clusterId;
                        options.ServiceId = "orleansstream-bench";
                    })
                    .AddOrleansStreamPostgresClustering(connectionString)
                    .Configure<GatewayOptions>(options => options.GatewayListRefreshPeriod = TimeSpan.FromSeconds(1)))
                .Build();
            await client.StartAsync();
            return new RecoveryBenchCluster(silos, client, connectionString);
        }
        catch
        {
            client?.Dispose();
            foreach (var process in silos.Values)
            {
                process.Kill();
                process.Dispose();
            }

            throw;
        }
    }

    /// <summary>Kills the process of the silo at <paramref name="siloAddress"/> (SIGKILL: no shutdown of any kind).</summary>
    public void Kill(string siloAddress)
    {
        var process = _silos[siloAddress];
        process.Kill();
        process.WaitForExit();
        _silos.Remove(siloAddress);
    }

    /// <summary>
    /// The job's durable record as its job grain last wrote it, read straight from the database:
    /// unlike a status call, this does not activate the job grain, so it does not speed up the
    /// recovery of a job whose grain was lost.
    /// </summary>
    public async Task<JobRecordView> ReadJobAsync(string jobId)
    {
        await using var connection = new NpgsqlConnection(_connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT payload FROM orleans_grain_state WHERE grain_type = 'job' AND grain_id_extension = @id", connection);
        command.Parameters.AddWithValue("id", jobId);
        var payload = (byte[]?)await command.ExecuteScalarAsync() ?? throw new InvalidOperationException($"Job '{jobId}' has no record in storage.");
        var record = _client.Services.GetRequiredService<Serializer>().Deserialize<JobRecord>(payload) ?? throw new InvalidOperationException($"Job '{jobId}' has an empty record.");
        return new JobRecordView(record.State, record.Attempt, record.Restarts, record.CompletedCheckpoints);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await _client.StopAsync(TimeSpan.FromSeconds(5));
        }
        finally
        {
            _client.Dispose();
            foreach (var process in _silos.Values)
            {
                process.Kill();
                process.WaitForExit();
                process.Dispose();
            }

            _silos.Clear();
        }
    }

    private static async Task<(string Address, Process Process)> StartSiloAsync(string connectionString, string clusterId, MembershipProfile profile)
    {
        var startInfo = new ProcessStartInfo(Environment.ProcessPath!)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };

        // The same program in silo mode: "dotnet <this dll> --silo-process ..." or the apphost directly.
        if (Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet")
        {
            startInfo.ArgumentList.Add(typeof(RecoverySiloProcess).Assembly.Location);
        }

        foreach (var argument in new[] { "--silo-process", connectionString, "--cluster-id", clusterId, "--membership", profile.ToString() })
        {
            startInfo.ArgumentList.Add(argument);
        }

        var process = Process.Start(startInfo) ?? throw new InvalidOperationException("Could not start a silo process.");
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (await process.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
        {
            if (line.StartsWith(RecoverySiloProcess.ReadyLine, StringComparison.Ordinal))
            {
                // Keep draining its output, so that the silo never blocks on a full pipe.
                _ = process.StandardOutput.BaseStream.CopyToAsync(Stream.Null);
                return (line[RecoverySiloProcess.ReadyLine.Length..], process);
            }
        }

        process.Kill();
        throw new InvalidOperationException($"A silo process exited with code {process.ExitCode} before it was ready.");
    }
}

/// <summary>The fields of a job's durable record that recovery is measured by.</summary>
internal readonly record struct JobRecordView(JobState State, int Attempt, int Restarts, long CompletedCheckpoints);
