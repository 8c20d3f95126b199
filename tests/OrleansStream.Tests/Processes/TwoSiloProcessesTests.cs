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
/// output, also when one silo is killed mid-job.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class TwoSiloProcessesTests(PostgresServer postgres, ITestOutputHelper output) : IAsyncLifetime
{
    private const int SlotsPerSilo = 2;
    private SiloProcessCluster _cluster = null!;
    private IpCountInput _input = null!;

    public async Task InitializeAsync()
    {
        _cluster = await SiloProcessCluster.StartAsync(postgres, "procs", silos: 2, SlotsPerSilo);
        _input = IpCountInput.Write(_cluster.Directory, lines: 3_000, seed: 20261125);
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

            var submitted = await client.SubmitAsync(JobSubmission.For<IpCountJob>(3, Parameters(rate: 1_000)));
            var status = await WaitForEndAsync(client, submitted.JobId);

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

            // Parallelism 2 fits on the survivor's two slots.
            var submitted = await client.SubmitAsync(JobSubmission.For<IpCountJob>(2, Parameters(rate: 500)));
            await _input.WaitForFirstCommitAsync();
            var status = await client.GetStatusAsync(submitted.JobId);
            Assert.False(status.IsTerminal, $"the job should still run when a silo is killed, was {status.State}");

            // A silo that runs tasks but not the job grain if there is one (recovery by the job grain),
            // otherwise the job grain's own (recovery by its reminder on the other silo).
            int supervisor = _cluster.IndexOf(status.SupervisorSilo ?? "");
            int victim = status.Slots!.Select(_cluster.IndexOf).Where(index => index >= 0 && index != supervisor).DefaultIfEmpty(supervisor).First();
            Assert.True(victim >= 0, $"no silo of the cluster among {string.Join(", ", status.Slots!)}");
            output.WriteLine($"killing {_cluster.Silos[victim].Name} (supervisor {status.SupervisorSilo}) after {status.Checkpoints.Completed} checkpoints");
            _cluster.Silos[victim].Kill();

            status = await WaitForEndAsync(client, submitted.JobId);

            Assert.Equal(JobState.Finished, status.State);
            Assert.True(status.Attempt >= 2, $"expected a restart, got attempt {status.Attempt}");
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

    /// <summary>
    /// Polls the job's status until it ends. A call may fail while the cluster has not yet declared a
    /// killed silo dead (the job grain or the client's gateway was there); that is retried until the deadline.
    /// </summary>
    private async Task<JobStatus> WaitForEndAsync(IStreamClient client, string jobId)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(90);
        Exception? lastFailure = null;
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                var status = await client.GetStatusAsync(jobId);
                if (status.IsTerminal)
                {
                    output.WriteLine($"{status.State} after attempt {status.Attempt}: {status.Checkpoints}; {status.Failure}");
                    return status;
                }
            }
            catch (Exception ex) when (ex is ClusterUnavailableException or OrleansException or TimeoutException)
            {
                lastFailure = ex;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(200));
        }

        throw new TimeoutException($"Waited 90 s for job {jobId} to end; last failure: {lastFailure?.Message}");
    }

    private Dictionary<string, string> Parameters(int rate) => new()
    {
        ["input"] = _input.InputPath,
        ["output"] = _input.OutputPath,
        ["exactly-once"] = "true",
        ["checkpoint-interval"] = "0.2",
        ["window"] = "5",
        ["out-of-orderness"] = "5",
        ["source-parallelism"] = "1",
        // Slow enough for several checkpoints during the job (and a kill in its middle).
        ["rate"] = rate.ToString(CultureInfo.InvariantCulture),
    };
}
