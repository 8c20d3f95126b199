using System.Globalization;
using OrleansStream.Client;
using OrleansStream.Contracts.Jobs;
using OrleansStream.Samples.IpCount;
using OrleansStream.Tests.Fixtures;
using Xunit.Abstractions;

namespace OrleansStream.Tests.Processes;

/// <summary>
/// Two real silo processes form one cluster over PostgreSQL, and an SDK client that finds them
/// through the membership table runs a checkpointed job on their slots to an exact committed
/// output, also when one silo is killed mid-job (the job then reads a long input at a paced rate, and the test
/// ends that run with a savepoint and goes on from it at full speed).
/// </summary>
[Collection(PostgresCollection.Name)]
[Trait(Suites.Trait, Suites.EndToEnd)]
public sealed class TwoSiloProcessesTests(PostgresServer postgres, ITestOutputHelper output) : IAsyncLifetime
{
    private const int SlotsPerSilo = 2;
    private SiloProcessCluster _cluster = null!;
    private IpCountInput _input = null!;

    public async Task InitializeAsync()
    {
        _cluster = await SiloProcessCluster.StartAsync(postgres, "procs", silos: 2, SlotsPerSilo);
        _input = IpCountInput.Write(_cluster.Directory, lines: IpCountInput.LongLines, seed: 20261125);
    }

    public Task DisposeAsync()
    {
        _cluster.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Two_silo_processes_over_postgres_run_a_checkpointed_job_to_the_exact_committed_output()
    {
        await _cluster.WithOutputOnFailureAsync(output, async () =>
        {
            await _cluster.WaitUntilActiveAsync();
            await using var client = await ConnectAsync();

            var submitted = await client.SubmitAsync(JobSubmission.For<IpCountJob>(3, Parameters(rate: null)));
            var status = await JobWatch.Of(client, submitted.JobId, output).WaitForEndAsync();

            Assert.Equal(JobState.Finished, status.State);
            Assert.True(status.Checkpoints.Completed >= 1, $"expected completed checkpoints, got {status.Checkpoints}");
            Assert.Equal(_input.ExpectedCounts(), _input.CommittedCounts());
        });
    }

    [Fact]
    public async Task A_silo_process_killed_mid_job_leaves_the_job_to_the_other_with_the_same_committed_output()
    {
        await _cluster.WithOutputOnFailureAsync(output, async () =>
        {
            await _cluster.WaitUntilActiveAsync();
            await using var client = await ConnectAsync();

            // Parallelism 2 fits on the survivor's two slots. Counts committed before the kill stay committed, so
            // the exact counts at the end show that the restart restored a checkpoint.
            var submitted = await client.SubmitAsync(JobSubmission.For<IpCountJob>(2, Parameters(rate: IpCountInput.PacedRate)));
            await _input.WaitForFirstCommitAsync();
            var watch = JobWatch.Of(client, submitted.JobId, output);
            var status = await watch.WaitUntilCheckpointedAfterInputAsync(IpCountOptions.SourceName);

            // A silo that runs tasks but not the job grain if there is one (recovery by the job grain),
            // otherwise the job grain's own (recovery by its reminder on the other silo).
            int supervisor = _cluster.IndexOf(status.SupervisorSilo ?? "");
            int victim = status.Slots!.Select(_cluster.IndexOf).Where(index => index >= 0 && index != supervisor).DefaultIfEmpty(supervisor).First();
            Assert.True(victim >= 0, $"no silo of the cluster among {string.Join(", ", status.Slots!)}");
            output.WriteLine($"killing {_cluster.Silos[victim].Name} (supervisor {status.SupervisorSilo}) after {status.Checkpoints.Completed} checkpoints");
            _cluster.Silos[victim].Kill();
            await watch.WaitUntilRestartedAsync();

            var savepoint = await client.StopWithSavepointAsync(submitted.JobId, JobWatch.Patience);
            var resumed = await client.SubmitAsync(JobSubmission.For<IpCountJob>(2, Parameters(rate: null)) with { FromSavepoint = savepoint });
            status = await JobWatch.Of(client, resumed.JobId, output).WaitForEndAsync();

            Assert.Equal(JobState.Finished, status.State);
            Assert.Equal(savepoint, status.Checkpoints.RestoredFrom);
            Assert.Equal(_input.ExpectedCounts(), _input.CommittedCounts());
        });
    }

    /// <summary>A client as the CLI's --postgres makes it: gateways from the membership table, reread every second so that a killed silo's is dropped soon.</summary>
    private Task<StreamClient> ConnectAsync() => StreamClient.ConnectAsync(StreamClientOptions.ForPostgres(_cluster.ConnectionString) with
    {
        ClusterId = _cluster.ClusterId,
        ServiceId = _cluster.ClusterId,
        GatewayListRefreshPeriod = TimeSpan.FromSeconds(1),
    });

    private Dictionary<string, string> Parameters(int? rate)
    {
        var parameters = new Dictionary<string, string>
        {
            ["input"] = _input.InputPath,
            ["output"] = _input.OutputPath,
            ["exactly-once"] = "true",
            ["checkpoint-interval"] = "0.2",
            ["window"] = "5",
            ["out-of-orderness"] = "5",
            ["source-parallelism"] = "1",
        };
        if (rate is { } linesPerSecond)
        {
            parameters["rate"] = linesPerSecond.ToString(CultureInfo.InvariantCulture);
        }

        return parameters;
    }
}
