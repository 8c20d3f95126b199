using OrleansStream.Contracts.Cluster;
using OrleansStream.Contracts.Jobs;
using OrleansStream.Contracts.Rescaling;
using OrleansStream.Tests.Cluster;
using OrleansStream.Tests.Fixtures;
using Xunit.Abstractions;

namespace OrleansStream.Tests.Rescaling;

/// <summary>
/// Rescaling a running job on the three-silo PostgreSQL cluster: key groups move live between the subtasks of a
/// keyed vertex, and the committed output of an exactly-once sink equals what a failure-free run at one
/// parallelism commits, however many rescales, and wherever a silo dies.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class LiveRescaleClusterTests(PostgresServer postgres, ITestOutputHelper output) : RecoveryClusterTest(postgres, output, "rescale")
{
    private const long Count = 24_000;
    private const string RollingCount = "rolling count";

    [Fact]
    public async Task A_keyed_vertex_rescaled_live_up_and_down_and_up_again_while_records_flow_commits_exactly_the_failure_free_result()
    {
        var (job, watch, gate, _) = await StartRollingCountAsync();

        var up = await RescaleAsync(job, 4);
        AssertMovedLive(up, from: 2, to: 4);
        var running = await Cluster.Jobs.GetStatusAsync(job);
        Assert.Equal(1, running.Attempt);
        Assert.Equal(4, Vertex(running).Parallelism);
        Assert.Equal(2, running.Vertices[0].Parallelism);

        // A checkpoint after the rescale holds the key groups where they are now.
        await watch.WaitUntilCheckpointedAsync(what: "the scale-up");
        var down = await RescaleAsync(job, 3);
        AssertMovedLive(down, from: 4, to: 3);

        // Subtask 3 was retired in this attempt: its channels have ended, so going back up restarts at a savepoint.
        var again = await RescaleAsync(job, 4, RescaleMode.Restart);
        Assert.Contains("retired", again.Reason);

        gate.Open();
        var status = await watch.WaitForEndAsync();
        Assert.Equal(JobState.Finished, status.State);
        Assert.Equal(2, status.Attempt);
        Assert.Equal(0, status.Checkpoints.Restarts);
        Assert.Equal(4, Vertex(status).Parallelism);
        Assert.Equal([RescaleState.Completed, RescaleState.Completed, RescaleState.Completed], status.Rescales!.Select(r => r.State));
        Assert.Equal(RollingCountJob.Expected(Count), Committed());
    }

    [Fact]
    public async Task A_keyed_co_process_and_a_keyed_process_with_event_time_timers_rescaled_live_together_commit_the_exact_counts()
    {
        const long count = 12_000;
        var gate = NewGate(budget: 1_000);
        var parameters = new Dictionary<string, string> { ["count"] = count.ToString(), ["output"] = OutputDirectory, [SourceGate.Parameter] = gate.Path };
        string job = (await Cluster.Jobs.SubmitAsync(JobSubmission.For<Functions.ProcessFunctionsJob>(2, parameters))).JobId;
        var watch = Watch(job, gate);
        await watch.WaitUntilCheckpointedAfterInputAsync("even orders");
        gate.Allow(2_000);

        // Two inputs by key (orders and customers), and timers that wait for the watermark.
        var up = await RescaleAsync(job, Vertices(("enrich", 3), ("count per second", 4)), RescaleMode.Live);
        Assert.Equal(2, up.Vertices.Count);
        Assert.Equal(up.KeyGroupsToMove, up.KeyGroupsMoved);
        await watch.WaitUntilCheckpointedAsync(what: "the scale-up");

        await RescaleAsync(job, Vertices(("enrich", 1), ("count per second", 3)), RescaleMode.Live);

        gate.Open();
        var status = await watch.WaitForEndAsync();
        Assert.Equal(JobState.Finished, status.State);
        Assert.Equal(1, status.Attempt);
        Assert.Equal(Functions.ProcessFunctionsJob.Expected(count), Committed());
    }

    [Fact]
    public async Task A_source_rescaled_live_hands_its_splits_over_with_their_progress_and_the_job_commits_exactly_the_failure_free_result()
    {
        // Six generator splits, three per reader at first.
        var (job, watch, gate, _) = await StartRollingCountAsync(("splits", "6"));

        // The whole job: the source hands one split of each reader to its new one (2, 2, 2); the count, and the check that
        // every split's records arrive in order, move key groups.
        var up = await RescaleAsync(job, RescaleRequest.ToParallelism(3), RescaleMode.Live);
        Assert.Equal(3, up.Vertices.Count);
        Assert.Equal(2, up.SplitsMoved);
        Assert.Equal(up.KeyGroupsToMove, up.KeyGroupsMoved);
        await watch.WaitUntilCheckpointedAsync(what: "the scale-up");

        // The source alone: its other two readers hand their four splits to the first, and finish.
        var down = await RescaleAsync(job, Vertices(("numbers", 1)), RescaleMode.Live);
        Assert.Equal(4, down.SplitsMoved);
        Assert.Equal(0, down.KeyGroupsMoved);

        gate.Open();
        var status = await watch.WaitForEndAsync();
        Assert.Equal(JobState.Finished, status.State);
        Assert.Equal(1, status.Attempt);
        Assert.Equal(0, status.Checkpoints.Restarts);
        Assert.Equal(1, status.Vertices[0].Parallelism);
        Assert.Equal(3, Vertex(status).Parallelism);
        Assert.Equal(RollingCountJob.Expected(Count), Committed());
    }

    [Fact]
    public async Task A_vertex_that_reads_round_robin_rescaled_live_up_and_down_commits_exactly_the_failure_free_result()
    {
        var (job, watch, gate, _) = await StartRollingCountAsync(("rebalance", "true"));

        // Nothing moves: the maps' new subtasks take their turn in the source's round robin, and the retired ones finish
        // what they were sent.
        var up = await RescaleAsync(job, Vertices(("one", 3)), RescaleMode.Live);
        Assert.Equal((0, 0), (up.KeyGroupsToMove, up.SplitsMoved));
        await watch.WaitUntilCheckpointedAsync(what: "the scale-up");
        await RescaleAsync(job, Vertices(("one", 1)), RescaleMode.Live);

        gate.Open();
        var status = await watch.WaitForEndAsync();
        Assert.Equal(JobState.Finished, status.State);
        Assert.Equal((1, 0), (status.Attempt, status.Checkpoints.Restarts));
        Assert.Equal(1, status.Vertices.Single(v => v.Name.Contains("one", StringComparison.Ordinal)).Parallelism);
        Assert.Equal(RollingCountJob.Expected(Count), Committed());
    }

    [Theory]
    [InlineData(11)]
    [InlineData(47)]
    public async Task A_silo_killed_while_key_groups_move_recovers_the_job_at_the_new_parallelism_with_the_exact_result(int seed)
    {
        // The silo dies once a seeded number of the 96 moving key groups have moved (steps of 4, 25 ms apart).
        var random = new Random(seed);
        await KillASiloWhileMovingAsync(random, RollingCount, random.Next(4, 92), rescale => rescale.KeyGroupsMoved);
    }

    [Theory]
    [InlineData(5)]
    [InlineData(23)]
    public async Task A_silo_killed_while_source_splits_move_recovers_the_job_at_the_new_parallelism_with_the_exact_result(int seed)
    {
        // Sixteen splits, eight per reader: scaled to 4, each old reader hands four to a new one, a split per step (25 ms apart).
        var random = new Random(seed);
        await KillASiloWhileMovingAsync(random, "numbers", random.Next(1, 8), rescale => rescale.SplitsMoved, ("splits", "16"));
    }

    /// <summary>
    /// Rescales <paramref name="vertex"/> of the held rolling count live from 2 to 4, kills a task silo once
    /// <paramref name="moved"/> says <paramref name="target"/> have moved (should the rescale end before the test sees
    /// that, just after: either way nothing may be lost or doubled), and asserts that the job recovers at 4 with the
    /// exact result, with the rescale's history saying how far it got.
    /// </summary>
    private async Task KillASiloWhileMovingAsync(Random random, string vertex, int target, Func<RescaleInfo, int> moved, params (string Name, string Value)[] parameters)
    {
        var (job, watch, gate, before) = await StartRollingCountAsync(parameters);
        var started = await Rescale(job, vertex, 4);
        Assert.Equal(RescaleMode.Live, started.Mode);
        var moving = (await watch.WaitUntilAsync(s => s.Rescaling is not { } r || moved(r) >= target, $"{target} moved")).Rescaling;
        var victim = Cluster.TaskSiloOf(before, random);
        Output.WriteLine($"killing {victim.SiloAddress} with {(moving is null ? "all" : moved(moving))} moved");
        await Cluster.KillAsync(victim);
        await watch.WaitUntilRestartedAsync();

        gate.Open();
        var status = await watch.WaitForEndAsync();
        var rescale = status.Rescales!.Single();
        Output.WriteLine($"rescale: {rescale}");
        Assert.Equal(JobState.Finished, status.State);
        Assert.Equal(4, status.Vertices.Single(v => v.Name.Contains(vertex, StringComparison.Ordinal)).Parallelism);
        Assert.InRange(moved(rescale), moving is null ? 1 : moved(moving), int.MaxValue);
        Assert.Equal(RollingCountJob.Expected(Count), Committed());
    }

    [Fact]
    public async Task Rescales_the_job_cannot_take_are_refused_with_the_vertex_and_the_numbers()
    {
        var gate = NewGate(budget: 100);
        string job = (await Cluster.Jobs.SubmitAsync(JobSubmission.For<RollingCountJob>(2, Parameters(Count, rate: 0, gate)))).JobId;
        await Watch(job, gate).WaitUntilCheckpointedAfterInputAsync("numbers");

        var unknown = await Assert.ThrowsAsync<RescaleRefusedException>(() => Rescale(job, "no such operator", 3));
        Assert.Contains("'no such operator'", unknown.Message);
        Assert.Contains($"'{RollingCount}'", unknown.Message);

        var beyondMax = await Assert.ThrowsAsync<RescaleRefusedException>(() => Rescale(job, RollingCount, 1000));
        Assert.Equal(RollingCount, beyondMax.Vertex);
        Assert.Contains("1 to 128", beyondMax.Message);
        Assert.Contains("1000", beyondMax.Message);

        var slots = await Assert.ThrowsAsync<InsufficientSlotsException>(() => Rescale(job, RollingCount, 7));
        Assert.Equal(7, slots.Required);
        Assert.Equal(RecoveryCluster.Silos * RecoveryCluster.SlotsPerSilo, slots.Available);

        var status = await Cluster.Jobs.GetStatusAsync(job);
        Assert.Equal(JobState.Running, status.State);
        Assert.Empty(status.Rescales ?? []);
        await Cluster.Jobs.CancelAsync(job);
    }

    /// <summary>
    /// Submits the rolling count at parallelism 2 with <paramref name="parameters"/>, held at a quarter of its input until
    /// a checkpoint holds read input; then half of the input may flow while the test rescales.
    /// </summary>
    private async Task<(string JobId, JobWatch Watch, SourceGate Gate, JobStatus Checkpointed)> StartRollingCountAsync(params (string Name, string Value)[] parameters)
    {
        var gate = NewGate(budget: Count / 2 / 4);
        var all = Parameters(Count, rate: 2_000, gate);
        foreach (var (name, value) in parameters)
        {
            all[name] = value;
        }

        string job = (await Cluster.Jobs.SubmitAsync(JobSubmission.For<RollingCountJob>(2, all))).JobId;
        var watch = Watch(job, gate);
        var checkpointed = await watch.WaitUntilCheckpointedAfterInputAsync("numbers");
        gate.Allow(Count / 2 / 2);
        return (job, watch, gate, checkpointed);
    }

    private Task<RescaleInfo> Rescale(string jobId, string vertex, int parallelism)
        => Cluster.Cluster.GrainFactory.GetGrain<IJobGrain>(jobId).RescaleAsync(Vertices((vertex, parallelism)));

    private Task<RescaleInfo> RescaleAsync(string jobId, int parallelism, RescaleMode mode = RescaleMode.Live)
        => RescaleAsync(jobId, Vertices((RollingCount, parallelism)), mode);

    private static void AssertMovedLive(RescaleInfo rescale, int from, int to)
    {
        Assert.Equal(from, rescale.Vertices.Single().From);
        Assert.Equal(to, rescale.Vertices.Single().To);
        Assert.True(rescale.KeyGroupsToMove > 0);
        Assert.Equal(rescale.KeyGroupsToMove, rescale.KeyGroupsMoved);
    }

    private static VertexStatus Vertex(JobStatus status) => status.Vertices.Single(v => v.Name.StartsWith(RollingCount, StringComparison.Ordinal));
}
