using OrleansStream.Api;
using OrleansStream.Contracts.Jobs;
using OrleansStream.Tests.Cluster;
using OrleansStream.Tests.Fixtures;
using Xunit.Abstractions;

namespace OrleansStream.Tests.Functions;

/// <summary>
/// Union, connected streams with a keyed co-process function, a keyed process function with event-time
/// timers, and broadcast state, on a PostgreSQL-backed three-silo cluster: exact committed output without
/// failures, after a transient fault, after a silo running the job's tasks is killed, and after a rescale.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class ProcessFunctionClusterTests(PostgresServer postgres, ITestOutputHelper output) : RecoveryClusterTest(postgres, output, "process")
{
    private Task<JobStatus> SubmitAsync(int parallelism, long count, Dictionary<string, string>? extra = null)
        => SubmitAsync<ProcessFunctionsJob>(parallelism, count, extra);

    private Task<JobStatus> SubmitAsync<TJob>(int parallelism, long count, Dictionary<string, string>? extra = null, string? savepoint = null)
        where TJob : IStreamJob, new()
    {
        var parameters = new Dictionary<string, string> { ["count"] = count.ToString(), ["output"] = OutputDirectory };
        foreach (var (key, value) in extra ?? new())
        {
            parameters[key] = value;
        }

        return Cluster.Jobs.SubmitAsync(JobSubmission.For<TJob>(parallelism, parameters) with { FromSavepoint = savepoint });
    }

    /// <summary>Runs the job, kills a silo running its tasks after three checkpoints, and waits until it has finished after a restart.</summary>
    private async Task RunThroughATaskSiloKillAsync<TJob>(int parallelism, long count)
        where TJob : IStreamJob, new()
    {
        var submitted = await SubmitAsync<TJob>(parallelism, count);
        await KillTaskSiloAfterCheckpointsAsync(submitted.JobId, checkpoints: 3);

        var status = await WaitForEndAsync(submitted.JobId);

        Assert.Equal(JobState.Finished, status.State);
        Assert.True(status.Checkpoints.Restarts >= 1);
    }

    [Fact]
    public async Task Union_connect_and_timers_give_exactly_the_independently_computed_counts()
    {
        const long count = 6_000;
        var submitted = await SubmitAsync(3, count, new() { ["rate"] = "6000" });
        var status = await WaitForEndAsync(submitted.JobId);

        Assert.Equal(JobState.Finished, status.State);
        Assert.Equal(ProcessFunctionsJob.Expected(count), Committed());
    }

    [Fact]
    public async Task A_transient_fault_restores_state_and_timers_and_the_committed_counts_are_exact()
    {
        const long count = 12_000;
        var submitted = await SubmitAsync(2, count, new() { ["poison-run"] = Guid.NewGuid().ToString(), ["poison"] = "7000" });
        var status = await WaitForEndAsync(submitted.JobId);

        Assert.Equal(JobState.Finished, status.State);
        Assert.True(status.Checkpoints.Restarts >= 1);
        Assert.Equal(ProcessFunctionsJob.Expected(count), Committed());
    }

    [Fact]
    public async Task Killing_a_silo_mid_job_restores_state_and_timers_elsewhere_and_the_committed_counts_are_exact()
    {
        // After a few checkpoints orders wait for customers and timers are pending, and the job is not done.
        const long count = 16_000;
        await RunThroughATaskSiloKillAsync<ProcessFunctionsJob>(2, count);

        Assert.Equal(ProcessFunctionsJob.Expected(count), Committed());
    }

    [Fact]
    public async Task Broadcast_rules_survive_a_silo_kill_and_the_committed_alerts_are_exact()
    {
        const long count = 12_000;
        await RunThroughATaskSiloKillAsync<BroadcastRulesJob>(3, count);

        Assert.Equal(BroadcastRulesJob.Expected(count), Committed());
    }

    [Fact]
    public async Task Broadcast_state_reaches_every_subtask_when_a_savepoint_is_restored_at_a_higher_parallelism()
    {
        const long count = 12_000;
        var first = await SubmitAsync<BroadcastRulesJob>(2, count);

        // Stop once some rules are in the broadcast state and payments wait for them.
        using (var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(60)))
        {
            await Cluster.Jobs.WaitUntilAsync(first.JobId, s => s.Checkpoints.Completed >= 4 || s.IsTerminal, cancel.Token);
        }

        var savepoint = await Cluster.Jobs.StopWithSavepointAsync(first.JobId, TimeSpan.FromSeconds(30));
        Assert.Equal(JobState.Stopped, (await Cluster.Jobs.GetStatusAsync(first.JobId)).State);

        // The rules that remain arrive fast: most of what the second run judges uses rules from the savepoint.
        var second = await SubmitAsync<BroadcastRulesJob>(3, count, new() { ["rule-rate"] = "1000" }, savepoint);
        var status = await WaitForEndAsync(second.JobId);

        Assert.Equal(JobState.Finished, status.State);
        Assert.Equal(savepoint, status.Checkpoints.RestoredFrom);
        Assert.Equal(BroadcastRulesJob.Expected(count), Committed());
    }

    [Fact]
    public async Task Interval_and_window_joins_survive_a_silo_kill_and_the_committed_pairs_are_exact()
    {
        const long count = 8_000;
        await RunThroughATaskSiloKillAsync<JoinsJob>(3, count);

        var expected = JoinsJob.Expected(count);
        Assert.Contains(expected, line => line.StartsWith("I,", StringComparison.Ordinal));
        Assert.Equal(expected, Committed());
    }
}
