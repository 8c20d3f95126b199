using OrleansStream.Api;
using OrleansStream.Contracts.Jobs;
using OrleansStream.Contracts.Rescaling;
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
    private Task<JobStatus> SubmitAsync(int parallelism, long count, Dictionary<string, string>? extra = null, SourceGate? gate = null)
        => SubmitAsync<ProcessFunctionsJob>(parallelism, count, extra, gate: gate);

    private Task<JobStatus> SubmitAsync<TJob>(int parallelism, long count, Dictionary<string, string>? extra = null, string? savepoint = null, SourceGate? gate = null)
        where TJob : IStreamJob, new()
    {
        var parameters = new Dictionary<string, string> { ["count"] = count.ToString(), ["output"] = OutputDirectory };
        foreach (var (key, value) in extra ?? new())
        {
            parameters[key] = value;
        }

        if (gate is not null)
        {
            parameters[SourceGate.Parameter] = gate.Path;
        }

        return Cluster.Jobs.SubmitAsync(JobSubmission.For<TJob>(parallelism, parameters) with { FromSavepoint = savepoint });
    }

    /// <summary>
    /// Runs the job with its sources held at a quarter of their input, kills a silo running its tasks after three
    /// checkpoints taken once <paramref name="sourceName"/> read input, and once it runs again restored, lets it finish.
    /// </summary>
    private async Task RunThroughATaskSiloKillAsync<TJob>(int parallelism, long count, string sourceName)
        where TJob : IStreamJob, new()
    {
        var gate = NewGate(budget: count / parallelism / 4);
        var submitted = await SubmitAsync<TJob>(parallelism, count, gate: gate);
        var watch = Watch(submitted.JobId, gate);
        await KillATaskSiloAndWaitForTheRestartAsync(watch, sourceName, checkpoints: 3);
        gate.Open();

        var status = await watch.WaitForEndAsync();

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

        // Two readers per order source of at most 1,000 orders each: orders 0 to 3,999 until the gate opens, the poisoned one is 7,000.
        var gate = NewGate(budget: 1_000);
        var submitted = await SubmitAsync(2, count, new() { ["poison-run"] = Guid.NewGuid().ToString(), ["poison"] = "7000" }, gate);
        var watch = Watch(submitted.JobId, gate);
        await watch.WaitUntilCheckpointedAfterInputAsync("even orders");
        gate.Open();

        var status = await watch.WaitForEndAsync();

        Assert.Equal(JobState.Finished, status.State);
        Assert.True(status.Checkpoints.Restarts >= 1);
        Assert.Contains("record 7000 hit a transient fault", status.Checkpoints.LastFailure);
        watch.AssertRestartedAndRestored(status);
        Assert.Equal(ProcessFunctionsJob.Expected(count), Committed());
    }

    [Fact]
    public async Task Killing_a_silo_mid_job_restores_state_and_timers_elsewhere_and_the_committed_counts_are_exact()
    {
        // After a few checkpoints orders wait for customers and timers are pending, and the job is not done.
        const long count = 16_000;
        await RunThroughATaskSiloKillAsync<ProcessFunctionsJob>(2, count, "even orders");

        Assert.Equal(ProcessFunctionsJob.Expected(count), Committed());
    }

    [Fact]
    public async Task Broadcast_rules_survive_a_silo_kill_and_the_committed_alerts_are_exact()
    {
        const long count = 12_000;
        await RunThroughATaskSiloKillAsync<BroadcastRulesJob>(3, count, "payments");

        Assert.Equal(BroadcastRulesJob.Expected(count), Committed());
    }

    [Fact]
    public async Task Broadcast_state_reaches_every_subtask_when_a_savepoint_is_restored_at_a_higher_parallelism()
    {
        const long count = 12_000;

        // Stop once some rules are in the broadcast state and payments wait for them; held, the job cannot end first.
        var gate = NewGate(budget: count / 2 / 4);
        var first = await SubmitAsync<BroadcastRulesJob>(2, count, gate: gate);
        await Watch(first.JobId, gate).WaitUntilCheckpointedAfterInputAsync("payments", checkpoints: 4);

        var savepoint = await Cluster.Jobs.StopWithSavepointAsync(first.JobId, JobWatch.Patience);
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
        await RunThroughATaskSiloKillAsync<JoinsJob>(3, count, "clicks");

        var expected = JoinsJob.Expected(count);
        Assert.Contains(expected, line => line.StartsWith("I,", StringComparison.Ordinal));
        Assert.Equal(expected, Committed());
    }

    [Fact]
    public async Task Interval_and_window_joins_rescaled_up_and_down_while_they_run_commit_exactly_the_expected_pairs()
    {
        const long count = 8_000;
        var gate = NewGate(budget: count / 2 / 4);
        var submitted = await SubmitAsync<JoinsJob>(2, count, new() { ["sinks"] = "per-join" }, gate: gate);
        var watch = Watch(submitted.JobId, gate);
        await watch.WaitUntilCheckpointedAfterInputAsync("clicks");
        gate.Allow(count / 2 / 2);

        // Both joins keep their buffered elements and timers by key group, and their windows by key.
        await RescaleAsync(submitted.JobId, Vertices(("interval join", 3), ("window join", 3)), RescaleMode.Live);
        await watch.WaitUntilCheckpointedAsync(what: "the scale-up");
        await RescaleAsync(submitted.JobId, Vertices(("interval join", 1), ("window join", 2)), RescaleMode.Live);
        gate.Open();

        var status = await watch.WaitForEndAsync();

        Assert.Equal(JobState.Finished, status.State);
        Assert.Equal((1, 0), (status.Attempt, status.Checkpoints.Restarts));
        Assert.Equal(JoinsJob.Expected(count), Committed());
    }

    [Fact]
    public async Task A_vertex_with_broadcast_state_rescaled_while_it_runs_gives_its_new_subtasks_the_rules_and_commits_exact_alerts()
    {
        const long count = 12_000;
        var gate = NewGate(budget: count / 2 / 4);
        var submitted = await SubmitAsync<BroadcastRulesJob>(2, count, gate: gate);
        var watch = Watch(submitted.JobId, gate);
        await watch.WaitUntilCheckpointedAfterInputAsync("payments", checkpoints: 2);

        // Every rule is in the broadcast state before the rescale, so the new subtasks judge by none unless they get a copy
        // of it (taken while the rules source pauses); then the payments' key groups move to them.
        await watch.WaitUntilAsync(s => s.RecordsOf("rules") >= BroadcastRulesJob.RuleCount, "every rule read");
        var up = await RescaleAsync(submitted.JobId, Vertices(("check", 4)), RescaleMode.Live);
        Assert.True(up.KeyGroupsMoved > 0 && up.BytesMoved > 0, $"{up.KeyGroupsMoved} key groups, {up.BytesMoved} bytes moved");

        // Half the payments are judged at four subtasks, by the rules the new ones were given.
        gate.Allow(count / 2 / 2);
        await watch.WaitUntilCheckpointedAsync(s => s.RecordsOf("payments") >= count / 2, what: "half the payments read at the new parallelism");
        await RescaleAsync(submitted.JobId, Vertices(("check", 2)), RescaleMode.Live);
        gate.Open();

        var status = await watch.WaitForEndAsync();

        Assert.Equal(JobState.Finished, status.State);
        Assert.Equal((1, 0), (status.Attempt, status.Checkpoints.Restarts));
        Assert.Equal(BroadcastRulesJob.Expected(count), Committed());
    }
}
