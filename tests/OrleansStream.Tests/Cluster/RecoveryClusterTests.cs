using System.Collections.Concurrent;
using OrleansStream.Api;
using OrleansStream.Api.Connectors;
using OrleansStream.Connectors.Files;
using OrleansStream.Connectors.Generator;
using OrleansStream.Contracts.Jobs;
using OrleansStream.Tests.Fixtures;
using Xunit.Abstractions;

namespace OrleansStream.Tests.Cluster;

/// <summary>
/// A keyed running count per key into the two-phase-commit file sink, checkpointed every 200 ms: each
/// record adds one line "key,count", so any record lost or counted twice shows in the committed lines.
/// </summary>
public sealed class RollingCountJob : IStreamJob
{
    public const int Keys = 50;

    public void Build(StreamBuilder builder)
    {
        var parameters = builder.Parameters;
        builder.EnableCheckpointing(TimeSpan.FromMilliseconds(parameters.GetInt64("checkpoint-ms", 200)));
        builder.Checkpointing.Timeout = TimeSpan.FromMilliseconds(parameters.GetInt64("checkpoint-timeout-ms", 30_000));
        builder.RestartStrategy = RestartStrategy.FixedDelay(5, TimeSpan.FromMilliseconds(200));
        var source = GeneratorSource.FromIndex(i => i, parameters.GetInt64("count", 0));
        if (parameters.GetInt64("rate", 0) is > 0 and var rate)
        {
            source = source.WithRateLimit(rate);
        }

        string poisonRun = parameters.Get("poison-run", "");
        long poison = parameters.GetInt64("poison", -1);
        ITransactionalSink<(long Key, long Count)> sink = FileSink.ForRowFormat<(long Key, long Count)>(parameters.GetRequired("output"), t => $"{t.Key},{t.Count}");
        if (parameters.GetInt64("fail-prepare-at", -1) is > 0 and var failAt)
        {
            sink = new FailingPrepareSink<(long Key, long Count)>(sink, poisonRun, failAt, stallInstead: false);
        }

        if (parameters.GetInt64("stall-prepare-at", -1) is > 0 and var stallAt)
        {
            sink = new FailingPrepareSink<(long Key, long Count)>(sink, poisonRun, stallAt, stallInstead: true);
        }

        builder.FromSource(source, "numbers")
            .Map(i => PoisonOnce.Check(poisonRun, i, poison), "poison once")
            .Map(i => (Key: i % Keys, Count: 1L), "one").Uid("one")
            .KeyBy(t => t.Key)
            .Reduce((a, b) => (a.Key, a.Count + b.Count), "rolling count").Uid("rolling-count")
            .SinkTo(sink, "committed output")
            .Uid("committed-output");
    }

    /// <summary>What a failure-free run commits, computed without the engine.</summary>
    public static List<string> Expected(long count)
    {
        var lines = new List<string>();
        for (long key = 0; key < Keys; key++)
        {
            long n = count / Keys + (key < count % Keys ? 1 : 0);
            for (long c = 1; c <= n; c++)
            {
                lines.Add($"{key},{c}");
            }
        }

        lines.Sort(StringComparer.Ordinal);
        return lines;
    }

    /// <summary>Every line in the sink's visible (committed) part files.</summary>
    public static List<string> Committed(string directory)
    {
        var lines = Directory.GetFiles(directory)
            .Where(f => !Path.GetFileName(f).StartsWith('.'))
            .SelectMany(File.ReadAllLines)
            .ToList();
        lines.Sort(StringComparer.Ordinal);
        return lines;
    }
}

/// <summary>Throws on one record the first time only (the silos share this process), like a transient fault.</summary>
public static class PoisonOnce
{
    private static readonly ConcurrentDictionary<string, bool> Thrown = new();

    public static long Check(string run, long value, long poison)
    {
        if (value == poison && Thrown.TryAdd(run, true))
        {
            throw new InvalidOperationException($"record {value} hit a transient fault");
        }

        return value;
    }
}

/// <summary>
/// A transactional sink whose pre-commit fails once, or stalls once for a second, at the first
/// checkpoint at or after a given id: a failure, or a hold-up, in the middle of a checkpoint.
/// </summary>
public sealed class FailingPrepareSink<T>(ITransactionalSink<T> inner, string run, long failAt, bool stallInstead) : ITransactionalSink<T>
{
    private static readonly ConcurrentDictionary<string, bool> Failed = new();

    public int? RequiredParallelism => inner.RequiredParallelism;

    public ISinkWriter<T> CreateWriter(SinkContext context) => new Writer((ITransactionalSinkWriter<T>)inner.CreateWriter(context), run, failAt, stallInstead);

    public ISinkCommitter CreateCommitter(SinkContext context) => inner.CreateCommitter(context);

    private sealed class Writer(ITransactionalSinkWriter<T> inner, string run, long failAt, bool stallInstead) : ITransactionalSinkWriter<T>
    {
        public void Write(T value, long timestamp) => inner.Write(value, timestamp);

        public void Flush() => inner.Flush();

        public byte[]? PrepareCommit(long checkpointId)
        {
            if (checkpointId >= failAt && Failed.TryAdd(run, true))
            {
                if (!stallInstead)
                {
                    throw new IOException($"disk full while pre-committing checkpoint {checkpointId}");
                }

                // Holds the task's turn, as a slow disk would: the checkpoint cannot complete in time.
                Thread.Sleep(TimeSpan.FromSeconds(1));
            }

            return inner.PrepareCommit(checkpointId);
        }

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }
}

[Collection(PostgresCollection.Name)]
public sealed class RecoveryClusterTests(PostgresServer postgres, ITestOutputHelper output) : RecoveryClusterTest(postgres, output, "recovery")
{
    private Dictionary<string, string> Parameters(long count, long rate, string? output = null) => new()
    {
        ["count"] = count.ToString(),
        ["rate"] = rate.ToString(),
        ["output"] = output ?? OutputDirectory,
    };

    [Fact]
    public async Task A_function_that_throws_once_restarts_the_job_from_its_last_checkpoint_and_the_committed_output_is_exact()
    {
        const long count = 20_000;
        var parameters = Parameters(count, rate: 4_000);
        parameters["poison-run"] = Guid.NewGuid().ToString();
        parameters["poison"] = "12000";
        var submitted = await Cluster.Jobs.SubmitAsync(JobSubmission.For<RollingCountJob>(3, parameters));

        var status = await WaitForEndAsync(submitted.JobId, TimeSpan.FromSeconds(60));

        Assert.Equal(JobState.Finished, status.State);
        Assert.Equal(1, status.Checkpoints.Restarts);
        Assert.Contains("record 12000 hit a transient fault", status.Checkpoints.LastFailure);
        Assert.True(status.Checkpoints.Completed >= 2, $"expected checkpoints before the failure, got {status.Checkpoints.Completed}");
        Assert.Equal(RollingCountJob.Expected(count), Committed());
    }

    [Fact]
    public async Task A_failure_while_a_subtask_takes_its_snapshot_restarts_the_job_and_the_committed_output_is_exact()
    {
        const long count = 16_000;
        var parameters = Parameters(count, rate: 4_000);
        parameters["poison-run"] = Guid.NewGuid().ToString();
        parameters["fail-prepare-at"] = "4";
        var submitted = await Cluster.Jobs.SubmitAsync(JobSubmission.For<RollingCountJob>(2, parameters));

        var status = await WaitForEndAsync(submitted.JobId, TimeSpan.FromSeconds(60));

        Assert.Equal(JobState.Finished, status.State);
        Assert.Equal(1, status.Checkpoints.Restarts);
        Assert.Contains("disk full while pre-committing checkpoint", status.Checkpoints.LastFailure);
        Assert.Equal(RollingCountJob.Expected(count), Committed());
    }

    [Fact]
    public async Task A_checkpoint_that_times_out_is_abandoned_and_counted_and_the_job_goes_on()
    {
        const long count = 16_000;
        var parameters = Parameters(count, rate: 4_000);
        parameters["poison-run"] = Guid.NewGuid().ToString();
        parameters["stall-prepare-at"] = "3";
        parameters["checkpoint-timeout-ms"] = "400";
        var submitted = await Cluster.Jobs.SubmitAsync(JobSubmission.For<RollingCountJob>(2, parameters));

        var status = await WaitForEndAsync(submitted.JobId, TimeSpan.FromSeconds(60));

        Assert.Equal(JobState.Finished, status.State);
        Assert.Equal(0, status.Checkpoints.Restarts);
        Assert.True(status.Checkpoints.Failed >= 1, "the stalled checkpoint should be counted as failed");
        Assert.True(status.Checkpoints.Completed >= 3);
        Assert.Equal(RollingCountJob.Expected(count), Committed());
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public async Task Silos_killed_one_after_another_at_seeded_random_points_leave_the_committed_output_exact(int seed)
    {
        const long count = 40_000;
        var random = new Random(seed);
        var submitted = await Cluster.Jobs.SubmitAsync(JobSubmission.For<RollingCountJob>(2, Parameters(count, rate: 4_000)));
        for (int kill = 0; kill < 2; kill++)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(random.Next(300, 1_500)));
            var status = await Cluster.Jobs.GetStatusAsync(submitted.JobId);
            if (status.IsTerminal)
            {
                break;
            }

            var candidates = Cluster.Cluster.Silos.Where(s => s.SiloAddress.ToString() != status.SupervisorSilo).ToList();
            var victim = candidates[random.Next(candidates.Count)];
            Output.WriteLine($"kill {kill + 1}: {victim.SiloAddress} in attempt {status.Attempt} after {status.Checkpoints.Completed} checkpoints");
            await Cluster.KillAsync(victim);
            await Cluster.Cluster.StartAdditionalSiloAsync();
        }

        var final = await WaitForEndAsync(submitted.JobId, TimeSpan.FromSeconds(120));

        Assert.Equal(JobState.Finished, final.State);
        Assert.Equal(RollingCountJob.Expected(count), Committed());
    }

    [Fact]
    public async Task Killing_a_silo_mid_job_restarts_it_on_the_others_and_the_committed_output_is_exact()
    {
        const long count = 30_000;
        var random = new Random(20261125);
        var submitted = await Cluster.Jobs.SubmitAsync(JobSubmission.For<RollingCountJob>(2, Parameters(count, rate: 4_000)));

        // Kill a silo that runs tasks but not the job grain (that case has its own test), at a seeded random point.
        await Task.Delay(TimeSpan.FromMilliseconds(random.Next(1_000, 2_500)));
        var status = await Cluster.Jobs.GetStatusAsync(submitted.JobId);
        var victim = Cluster.Cluster.Silos.First(s => s.SiloAddress.ToString() != status.SupervisorSilo
            && status.Vertices.SelectMany(v => v.Slots).Contains(s.SiloAddress.ToString()));
        Output.WriteLine($"killing {victim.SiloAddress} at {status.Checkpoints.Completed} checkpoints");
        await Cluster.KillAsync(victim);

        status = await WaitForEndAsync(submitted.JobId, TimeSpan.FromSeconds(90));

        Assert.Equal(JobState.Finished, status.State);
        Assert.True(status.Checkpoints.Restarts >= 1);
        Assert.Equal(RollingCountJob.Expected(count), Committed());
    }

    [Fact]
    public async Task Killing_the_job_grains_silo_resumes_the_job_elsewhere_and_the_committed_output_is_exact()
    {
        const long count = 30_000;
        var submitted = await Cluster.Jobs.SubmitAsync(JobSubmission.For<RollingCountJob>(2, Parameters(count, rate: 4_000)));
        await Task.Delay(TimeSpan.FromMilliseconds(1_500));
        var supervisor = (await Cluster.Jobs.GetStatusAsync(submitted.JobId)).SupervisorSilo!;
        Output.WriteLine($"killing the job grain's silo {supervisor}");
        await Cluster.KillAsync(Cluster.SiloOf(supervisor));

        var status = await WaitForEndAsync(submitted.JobId, TimeSpan.FromSeconds(90));

        Assert.Equal(JobState.Finished, status.State);
        Assert.NotEqual(supervisor, status.SupervisorSilo);
        Assert.True(status.Attempt >= 2);
        Assert.Equal(RollingCountJob.Expected(count), Committed());
    }

    [Theory]
    [InlineData(4, 2)]
    [InlineData(2, 6)]
    public async Task A_job_stopped_with_a_savepoint_continues_from_it_at_another_parallelism_with_the_same_result(int before, int after)
    {
        const long count = 24_000;
        var parameters = Parameters(count, rate: 8_000 / before);
        var first = await Cluster.Jobs.SubmitAsync(JobSubmission.For<RollingCountJob>(before, parameters));
        await Task.Delay(TimeSpan.FromMilliseconds(1_200));

        var savepoint = await Cluster.Jobs.StopWithSavepointAsync(first.JobId, TimeSpan.FromSeconds(30));
        var stopped = await Cluster.Jobs.GetStatusAsync(first.JobId);
        Output.WriteLine($"stopped with {savepoint}: {stopped.Checkpoints}; {Committed().Count} lines committed");
        Assert.Equal(JobState.Stopped, stopped.State);
        Assert.True(Committed().Count < count, "the first run should stop before the end of its input");

        var second = await Cluster.Jobs.SubmitAsync(JobSubmission.For<RollingCountJob>(after, Parameters(count, rate: 0)) with { FromSavepoint = savepoint });
        var status = await WaitForEndAsync(second.JobId, TimeSpan.FromSeconds(60));

        Assert.Equal(JobState.Finished, status.State);
        Assert.Equal(savepoint, status.Checkpoints.RestoredFrom);
        Assert.Equal(RollingCountJob.Expected(count), Committed());
    }
}
