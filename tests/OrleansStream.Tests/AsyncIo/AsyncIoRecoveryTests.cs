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
/// back and every checkpoint (every 200 ms) catches calls in flight. The lookup can throw once, on one number.
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
        int seed = (int)parameters.GetInt64("seed", 1);
        var source = GeneratorSource.FromIndex(i => i, parameters.GetInt64("count", 0)).WithRateLimit(parameters.GetInt64("rate", 2_000));

        // Chained to the source (same parallelism, forward), so the codec only serves the lookup's snapshots.
        var numbers = builder.FromSource(source, "numbers").WithCodec(new CountingCodec(run));
        Func<long, CancellationToken, Task<(long Key, long Count)>> lookup = async (i, ct) =>
        {
            await Task.Delay(new Random(HashCode.Combine(seed, i)).Next(5, 26), ct);
            PoisonOnce.Check(run, i, poison);
            return (i % RollingCountJob.Keys, 1L);
        };
        var keyed = Enum.Parse<AsyncOutputMode>(parameters.Get("mode", "Ordered")) == AsyncOutputMode.Ordered
            ? AsyncDataStream.OrderedWait(numbers, lookup, TimeSpan.FromSeconds(30), capacity: 20, "key lookup")
            : AsyncDataStream.UnorderedWait(numbers, lookup, TimeSpan.FromSeconds(30), capacity: 20, "key lookup");
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
    private Dictionary<string, string> Parameters(long count, AsyncOutputMode mode) => new()
    {
        ["count"] = count.ToString(),
        ["output"] = OutputDirectory,
        ["run"] = _run,
        ["mode"] = mode.ToString(),
    };

    [Theory]
    [InlineData(AsyncOutputMode.Ordered)]
    [InlineData(AsyncOutputMode.Unordered)]
    public async Task A_lookup_that_throws_once_restarts_the_job_and_the_calls_in_flight_at_the_checkpoint_are_made_again_exactly_once(AsyncOutputMode mode)
    {
        const long count = 10_000;
        var parameters = Parameters(count, mode);
        parameters["poison"] = "6000";
        var submitted = await Cluster.Jobs.SubmitAsync(JobSubmission.For<AsyncRollingCountJob>(2, parameters));

        var status = await WaitForEndAsync(submitted.JobId);

        Assert.Equal(JobState.Finished, status.State);
        Assert.Equal(1, status.Checkpoints.Restarts);
        Assert.Contains("key lookup", status.Checkpoints.LastFailure);
        Assert.Contains("record 6000 hit a transient fault", status.Checkpoints.LastFailure);
        Assert.True(CountingCodec.ReadsOf(_run) > 0, "the restored checkpoint should have held calls in flight");
        Assert.Equal(RollingCountJob.Expected(count), Committed());
    }

    [Fact]
    public async Task Killing_a_silo_while_lookups_are_in_flight_restarts_the_job_and_the_committed_output_is_exact()
    {
        const long count = 12_000;
        var random = new Random(20261130);
        var submitted = await Cluster.Jobs.SubmitAsync(JobSubmission.For<AsyncRollingCountJob>(2, Parameters(count, AsyncOutputMode.Unordered)));

        await Task.Delay(TimeSpan.FromMilliseconds(random.Next(1_000, 2_500)));
        var status = await Cluster.Jobs.GetStatusAsync(submitted.JobId);
        var victim = Cluster.Cluster.Silos.First(s => s.SiloAddress.ToString() != status.SupervisorSilo
            && status.Vertices.SelectMany(v => v.Slots).Contains(s.SiloAddress.ToString()));
        Output.WriteLine($"killing {victim.SiloAddress} at {status.Checkpoints.Completed} checkpoints");
        await Cluster.KillAsync(victim);

        status = await WaitForEndAsync(submitted.JobId);

        Assert.Equal(JobState.Finished, status.State);
        Assert.True(status.Checkpoints.Restarts >= 1);
        Assert.True(CountingCodec.ReadsOf(_run) > 0, "the restored checkpoint should have held calls in flight");
        Assert.Equal(RollingCountJob.Expected(count), Committed());
    }
}
