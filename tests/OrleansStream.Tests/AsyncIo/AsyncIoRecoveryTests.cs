using OrleansStream.Api;
using OrleansStream.Connectors.Files;
using OrleansStream.Connectors.Generator;
using OrleansStream.Contracts.Jobs;
using OrleansStream.Operators;
using OrleansStream.Tests.Cluster;
using OrleansStream.Tests.Fixtures;
using Xunit.Abstractions;

namespace OrleansStream.Tests.AsyncIo;

/// <summary>
/// <see cref="RollingCountJob"/> with the key looked up through async I/O: each number's key comes from a
/// call that takes 5 to 25 ms (seeded), with 20 calls in flight per subtask at most, so the source is held
/// back and checkpoints (every 200 ms) catch calls in flight. The call for the number "hold" waits, in flight,
/// until the job's <see cref="SourceGate"/> opens (it raises the gate's signal "held" when it starts waiting),
/// so that every checkpoint from then on holds calls in flight; the lookup can throw once, on one number. The gate
/// also holds the numbers: a test stops them a few after the held one, for in ordered mode the numbers behind a
/// held call wait in its subtask's 20 places, and a barrier behind a full queue would wait for the call too.
/// </summary>
public sealed class AsyncRollingCountJob : IStreamJob
{
    public void Build(StreamBuilder builder)
    {
        var parameters = builder.Parameters;
        builder.EnableCheckpointing(TimeSpan.FromMilliseconds(200));
        builder.RestartStrategy = RestartStrategy.FixedDelay(5, TimeSpan.FromMilliseconds(200));
        string run = parameters.GetRequired("run");
        long poison = parameters.GetInt64("poison", -1);
        long hold = parameters.GetInt64("hold", -1);
        string gate = parameters.GetRequired(SourceGate.Parameter);
        int seed = (int)parameters.GetInt64("seed", 1);
        var generator = GeneratorSource.FromIndex(i => i, parameters.GetInt64("count", 0)).WithRateLimit(parameters.GetInt64("rate", 2_000));
        var source = (parameters.GetInt64("splits", 0) is > 0 and var splits ? generator.WithSplits((int)splits) : generator).GatedBy(gate);

        // Chained to the source (same parallelism, forward), so the codec only serves the lookup's snapshots.
        var numbers = builder.FromSource(source, "numbers").WithCodec(new CountingCodec(run));
        Func<long, CancellationToken, Task<(long Key, long Count)>> lookup = async (i, ct) =>
        {
            await Task.Delay(new Random(HashCode.Combine(seed, i)).Next(5, 26), ct);
            if (i == hold)
            {
                SourceGate.SignalAt(gate, "held", i.ToString(System.Globalization.CultureInfo.InvariantCulture));
                await SourceGate.WaitUntilOpenAsync(gate, ct);
            }

            PoisonOnce.Check(run, i, poison);
            return (i % RollingCountJob.Keys, 1L);
        };
        var keyed = Enum.Parse<AsyncOutputMode>(parameters.Get("mode", "Ordered")) == AsyncOutputMode.Ordered
            ? AsyncDataStream.OrderedWait(numbers, lookup, TimeSpan.FromMinutes(10), capacity: 20, "key lookup")
            : AsyncDataStream.UnorderedWait(numbers, lookup, TimeSpan.FromMinutes(10), capacity: 20, "key lookup");
        keyed.Uid("key-lookup")
            .KeyBy(t => t.Key)
            .Reduce((a, b) => (a.Key, a.Count + b.Count), "rolling count").Uid("rolling-count")
            .SinkTo(FileSink.ForRowFormat<(long Key, long Count)>(parameters.GetRequired("output"), t => $"{t.Key},{t.Count}"), "committed output")
            .Uid("committed-output");
    }
}

/// <summary>
/// Exactly-once with async I/O: after a failure the job restarts from a checkpoint that holds calls in
/// flight; they are made again before new input, and the committed output is exactly a failure-free run's.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class AsyncIoRecoveryTests(PostgresServer postgres, ITestOutputHelper output) : RecoveryClusterTest(postgres, output, "asyncio")
{
    private readonly string _run = Guid.NewGuid().ToString();

    private Dictionary<string, string> Parameters(long count, AsyncOutputMode mode, SourceGate gate, long hold) => new()
    {
        ["count"] = count.ToString(),
        ["output"] = OutputDirectory,
        ["run"] = _run,
        ["mode"] = mode.ToString(),
        ["hold"] = hold.ToString(),
        [SourceGate.Parameter] = gate.Path,
    };

    /// <summary>
    /// A gate for two readers that lets the reader of <paramref name="hold"/> emit it and three numbers more (each
    /// reader emits every other number), fewer than the lookup's 20 places behind the held call.
    /// </summary>
    private SourceGate GateJustAfter(long hold) => NewGate(budget: hold / 2 + 4);

    [Theory]
    [InlineData(AsyncOutputMode.Ordered)]
    [InlineData(AsyncOutputMode.Unordered)]
    public async Task A_lookup_that_throws_once_restarts_the_job_and_the_calls_in_flight_at_the_checkpoint_are_made_again_exactly_once(AsyncOutputMode mode)
    {
        const long count = 10_000;

        // The call that throws waits in flight first, until a checkpoint holding it has completed.
        var gate = GateJustAfter(6_000);
        var parameters = Parameters(count, mode, gate, hold: 6_000);
        parameters["poison"] = "6000";
        var submitted = await Cluster.Jobs.SubmitAsync(JobSubmission.For<AsyncRollingCountJob>(2, parameters));
        var watch = Watch(submitted.JobId, gate);
        await watch.WaitUntilCheckpointedAsync(_ => gate.IsSignaled("held"), what: "the call for 6000 was held in flight");
        gate.Open();

        var status = await watch.WaitForEndAsync();

        Assert.Equal(JobState.Finished, status.State);
        Assert.Equal(1, status.Checkpoints.Restarts);
        Assert.Contains("key lookup", status.Checkpoints.LastFailure);
        Assert.Contains("record 6000 hit a transient fault", status.Checkpoints.LastFailure);
        watch.AssertRestartedAndRestored(status);
        Assert.True(CountingCodec.ReadsOf(_run) > 0, "the restored checkpoint should have held calls in flight");
        Assert.Equal(RollingCountJob.Expected(count), Committed());
    }

    [Fact]
    public async Task Killing_a_silo_while_lookups_are_in_flight_restarts_the_job_and_the_committed_output_is_exact()
    {
        const long count = 12_000;
        var gate = GateJustAfter(5_000);
        var submitted = await Cluster.Jobs.SubmitAsync(JobSubmission.For<AsyncRollingCountJob>(2, Parameters(count, AsyncOutputMode.Unordered, gate, hold: 5_000)));
        var watch = Watch(submitted.JobId, gate);
        var before = await watch.WaitUntilCheckpointedAsync(_ => gate.IsSignaled("held"), what: "the call for 5000 was held in flight");
        var victim = Cluster.TaskSiloOf(before);
        Output.WriteLine($"killing {victim.SiloAddress} at {before.Checkpoints.Completed} checkpoints");
        await Cluster.KillAsync(victim);
        await watch.WaitUntilRestartedAsync();
        gate.Open();

        var status = await watch.WaitForEndAsync();

        Assert.Equal(JobState.Finished, status.State);
        Assert.True(status.Checkpoints.Restarts >= 1);
        Assert.True(CountingCodec.ReadsOf(_run) > 0, "the restored checkpoint should have held calls in flight");
        Assert.Equal(RollingCountJob.Expected(count), Committed());
    }

    [Theory]
    [InlineData(AsyncOutputMode.Ordered)]
    [InlineData(AsyncOutputMode.Unordered)]
    public async Task A_job_with_async_lookups_rescaled_live_and_then_by_a_restart_commits_exactly_the_failure_free_output(AsyncOutputMode mode)
    {
        const long count = 10_000;
        var gate = NewGate(budget: count / 2 / 4);
        var parameters = Parameters(count, mode, gate, hold: -1);
        parameters["splits"] = "4";
        var submitted = await Cluster.Jobs.SubmitAsync(JobSubmission.For<AsyncRollingCountJob>(2, parameters));
        var watch = Watch(submitted.JobId, gate);
        await watch.WaitUntilCheckpointedAfterInputAsync("numbers");
        gate.Allow(count / 2 / 2);

        // The lookups are chained to the source: a split that moves live waits until the calls before it are done, and the
        // savepoint of the restart holds the calls in flight, which the new subtasks make again.
        await RescaleLiveAndByARestartAsync(watch, submitted.JobId, gate, "numbers");

        Assert.Equal(RollingCountJob.Expected(count), Committed());
    }
}
