using System.Collections.Concurrent;
using OrleansStream.Api;
using OrleansStream.Api.Connectors;
using OrleansStream.Connectors.Discard;
using OrleansStream.Connectors.Files;
using OrleansStream.Connectors.Generator;
using OrleansStream.Contracts.Jobs;
using OrleansStream.Tests.Fixtures;
using Xunit.Abstractions;

namespace OrleansStream.Tests.Cluster;

/// <summary>
/// A keyed running count per key into the two-phase-commit file sink, checkpointed every 200 ms: each
/// record adds one line "key,count", so any record lost or counted twice shows in the committed lines.
/// With a <see cref="SourceGate"/> (parameter "gate") its input is held by the test, and the faults below
/// wait for the gate to open: a fault never comes before the test has seen a checkpoint to restore. With a fixed
/// number of generator splits (parameter "splits") it also checks that each split's records arrive in order. With
/// "rebalance" the maps before the count read the source round robin, as a vertex of their own.
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
        var generator = GeneratorSource.FromIndex(i => i, parameters.GetInt64("count", 0));
        long splits = parameters.GetInt64("splits", 0);
        if (splits > 0)
        {
            generator = generator.WithSplits((int)splits);
        }

        if (parameters.GetInt64("rate", 0) is > 0 and var rate)
        {
            generator = generator.WithRateLimit(rate);
        }

        string? gate = parameters.Get(SourceGate.Parameter);
        string poisonRun = parameters.Get("poison-run", "");
        long poison = parameters.GetInt64("poison", -1);
        long failAt = parameters.GetInt64("fail-at", -1);
        ITransactionalSink<(long Key, long Count)> sink = FileSink.ForRowFormat<(long Key, long Count)>(parameters.GetRequired("output"), t => $"{t.Key},{t.Count}");
        if (parameters.GetInt64("fail-prepare-at", -1) is > 0 and var failPrepareAt)
        {
            sink = new FailingPrepareSink<(long Key, long Count)>(sink, poisonRun, gate, failPrepareAt, stallInstead: false);
        }

        if (parameters.GetInt64("stall-prepare-at", -1) is > 0 and var stallAt)
        {
            sink = new FailingPrepareSink<(long Key, long Count)>(sink, poisonRun, gate, stallAt, stallInstead: true);
        }

        if (parameters.Get("fail-commit") == "true")
        {
            sink = new FailingCommitSink<(long Key, long Count)>(sink, poisonRun, gate);
        }

        if (parameters.Get("idle-timeout-ms") is { } idleTimeout)
        {
            builder.IdleTimeout = TimeSpan.FromMilliseconds(long.Parse(idleTimeout));
        }

        // A monitored directory of files of numbers, one per line, instead of the generator.
        var numbers = parameters.Get("monitor") is { } directory
            ? builder.FromSource(FileSource.Monitor(directory, TimeSpan.FromMilliseconds(100)), "numbers").Map(line => long.Parse(line.Text), "parse")
            : builder.FromSource(generator.GatedBy(gate), "numbers");
        if (splits > 0)
        {
            // Split s produces s, s + splits, s + 2 splits, ... in that order: keyed by split, every key's records must
            // arrive in order, however often the splits move between readers (a failure here restarts the job).
            numbers.KeyBy(i => i % splits)
                .Reduce((last, next) => next > last ? next : throw new InvalidOperationException($"record {next} of split {next % splits} arrived after {last}"), "split order")
                .Uid("split-order")
                .SinkTo(new DiscardingSink<long>(), "split order checked");
        }

        (parameters.Get("rebalance") == "true" ? numbers.Rebalance() : numbers)
            .Map(i => PoisonOnce.Check(poisonRun, i, poison), "poison once")
            .Map(i => i == failAt ? throw new InvalidOperationException($"record {i} fails every time") : i, "fail always")
            .Map(i => (Key: i % Keys, Count: 1L), "one").Uid("one")
            .KeyBy(t => t.Key)
            .Reduce((a, b) => (a.Key, a.Count + b.Count), "rolling count").Uid("rolling-count")
            .SinkTo(sink, "committed output")
            .Uid("committed-output");
    }

    /// <summary>What a failure-free run commits, computed without the engine.</summary>
    public static List<string> Expected(long count) => Expected(0, count);

    /// <summary>What the records <paramref name="from"/> to <paramref name="count"/> - 1 add to the committed lines, computed without the engine.</summary>
    public static List<string> Expected(long from, long count)
    {
        var lines = new List<string>();
        for (long key = 0; key < Keys; key++)
        {
            for (long c = CountOf(key, from) + 1; c <= CountOf(key, count); c++)
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

    /// <summary>How many of the records 0 to <paramref name="count"/> - 1 have the key <paramref name="key"/>.</summary>
    private static long CountOf(long key, long count) => count / Keys + (key < count % Keys ? 1 : 0);
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
/// A transactional sink whose pre-commit fails once, or stalls once, at the first checkpoint at or after a
/// given id once the job's gate is open: a failure, or a hold-up, in the middle of a checkpoint. A stall holds
/// the task's turn, as a slow disk would, until the test raises the gate's signal "stall-released".
/// </summary>
public sealed class FailingPrepareSink<T>(ITransactionalSink<T> inner, string run, string? gate, long failAt, bool stallInstead) : ITransactionalSink<T>
{
    private static readonly ConcurrentDictionary<string, bool> Failed = new();

    public int? RequiredParallelism => inner.RequiredParallelism;

    public ISinkWriter<T> CreateWriter(SinkContext context) => new Writer((ITransactionalSinkWriter<T>)inner.CreateWriter(context), run, gate, failAt, stallInstead);

    public ISinkCommitter CreateCommitter(SinkContext context) => inner.CreateCommitter(context);

    private sealed class Writer(ITransactionalSinkWriter<T> inner, string run, string? gate, long failAt, bool stallInstead) : ITransactionalSinkWriter<T>
    {
        public void Write(T value, long timestamp) => inner.Write(value, timestamp);

        public void Flush() => inner.Flush();

        public byte[]? PrepareCommit(long checkpointId)
        {
            if (checkpointId >= failAt && (gate is null || SourceGate.IsOpenAt(gate)) && Failed.TryAdd(run, true))
            {
                if (!stallInstead)
                {
                    throw new IOException($"disk full while pre-committing checkpoint {checkpointId}");
                }

                SourceGate.BlockUntilSignaled(gate ?? throw new InvalidOperationException("A stall needs a gate to release it."), "stall-released");
            }

            return inner.PrepareCommit(checkpointId);
        }

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }
}

/// <summary>
/// A transactional sink whose committer refuses one commit, the first after the job's gate opened, before
/// committing anything (the sink's storage was unavailable, say): the task fails and the job restarts.
/// </summary>
public sealed class FailingCommitSink<T>(ITransactionalSink<T> inner, string run, string? gate) : ITransactionalSink<T>
{
    private static readonly ConcurrentDictionary<string, bool> Failed = new();

    public int? RequiredParallelism => inner.RequiredParallelism;

    public ISinkWriter<T> CreateWriter(SinkContext context) => inner.CreateWriter(context);

    public ISinkCommitter CreateCommitter(SinkContext context) => new Committer(inner.CreateCommitter(context), run, gate);

    private sealed class Committer(ISinkCommitter inner, string run, string? gate) : ISinkCommitter
    {
        public ValueTask CommitAsync(SinkCommittable committable, CancellationToken cancellationToken)
            => (gate is null || SourceGate.IsOpenAt(gate)) && Failed.TryAdd(run, true)
                ? throw new IOException($"the output store refused the commit of checkpoint {committable.CheckpointId}")
                : inner.CommitAsync(committable, cancellationToken);

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }
}

[Collection(PostgresCollection.Name)]
public sealed class RecoveryClusterTests(PostgresServer postgres, ITestOutputHelper output) : RecoveryClusterTest(postgres, output, "recovery")
{
    [Fact]
    public async Task A_function_that_throws_once_restarts_the_job_from_its_last_checkpoint_and_the_committed_output_is_exact()
    {
        const long count = 20_000;

        // Three readers of at most 2,000 records each stay below the poisoned record until the gate opens.
        var gate = NewGate(budget: 2_000);
        var parameters = Parameters(count, rate: 4_000, gate);
        parameters["poison-run"] = Guid.NewGuid().ToString();
        parameters["poison"] = "12000";
        var submitted = await Cluster.Jobs.SubmitAsync(JobSubmission.For<RollingCountJob>(3, parameters));
        var watch = Watch(submitted.JobId, gate);
        await watch.WaitUntilCheckpointedAfterInputAsync("numbers");
        gate.Open();

        var status = await watch.WaitForEndAsync();

        Assert.Equal(JobState.Finished, status.State);
        Assert.Equal(1, status.Checkpoints.Restarts);
        Assert.Contains("record 12000 hit a transient fault", status.Checkpoints.LastFailure);
        Assert.True(status.Checkpoints.Completed >= 2, $"expected checkpoints before the failure, got {status.Checkpoints.Completed}");
        watch.AssertRestartedAndRestored(status);
        Assert.Equal(RollingCountJob.Expected(count), Committed());
    }

    [Fact]
    public async Task A_failure_while_a_subtask_takes_its_snapshot_restarts_the_job_and_the_committed_output_is_exact()
    {
        const long count = 16_000;
        var gate = NewGate(budget: 2_000);
        var parameters = Parameters(count, rate: 4_000, gate);
        parameters["poison-run"] = Guid.NewGuid().ToString();
        parameters["fail-prepare-at"] = "4";
        var submitted = await Cluster.Jobs.SubmitAsync(JobSubmission.For<RollingCountJob>(2, parameters));
        var watch = Watch(submitted.JobId, gate);
        await watch.WaitUntilCheckpointedAfterInputAsync("numbers");
        gate.Open();

        var status = await watch.WaitForEndAsync();

        Assert.Equal(JobState.Finished, status.State);
        Assert.Equal(1, status.Checkpoints.Restarts);
        Assert.Contains("disk full while pre-committing checkpoint", status.Checkpoints.LastFailure);
        watch.AssertRestartedAndRestored(status);
        Assert.Equal(RollingCountJob.Expected(count), Committed());
    }

    [Fact]
    public async Task A_checkpoint_that_times_out_is_abandoned_and_counted_and_the_job_goes_on()
    {
        const long count = 16_000;

        // The stalled pre-commit holds its checkpoint until the test has seen it abandoned, whatever the timeout,
        // which is long enough for every other checkpoint to complete on a loaded machine.
        var gate = NewGate(budget: 2_000);
        var parameters = Parameters(count, rate: 4_000, gate);
        parameters["poison-run"] = Guid.NewGuid().ToString();
        parameters["stall-prepare-at"] = "3";
        parameters["checkpoint-timeout-ms"] = "5000";
        var submitted = await Cluster.Jobs.SubmitAsync(JobSubmission.For<RollingCountJob>(2, parameters));
        var watch = Watch(submitted.JobId, gate);
        await watch.WaitUntilCheckpointedAfterInputAsync("numbers", checkpoints: 2);
        gate.Open();
        var abandoned = await watch.WaitUntilAsync(s => s.Checkpoints.Failed >= 1 || s.IsTerminal, "the stalled checkpoint to be abandoned");
        Output.WriteLine($"abandoned while the pre-commit stalls: {abandoned.Checkpoints}");
        gate.Signal("stall-released");

        var status = await watch.WaitForEndAsync();

        Assert.Equal(JobState.Finished, status.State);
        Assert.Equal(0, status.Checkpoints.Restarts);
        Assert.True(status.Checkpoints.Failed >= 1, "the stalled checkpoint should be counted as failed");
        Assert.True(status.Checkpoints.Completed >= 3);
        Assert.Equal(RollingCountJob.Expected(count), Committed());
    }

    [Fact]
    public async Task A_stop_with_savepoint_whose_savepoint_is_abandoned_leaves_the_sources_reading()
    {
        // Checkpoint 1 (taken as the job starts) is the only periodic one: the stop's savepoint is checkpoint 2, whose
        // pre-commit stalls (the gate is open, which arms the stall) past the checkpoint timeout. The readers are paced
        // far from their end.
        var gate = NewGate();
        gate.Open();
        var parameters = Parameters(count: 10_000_000, rate: 500, gate);
        parameters["poison-run"] = Guid.NewGuid().ToString();
        parameters["stall-prepare-at"] = "2";
        parameters["checkpoint-ms"] = "3600000";
        parameters["checkpoint-timeout-ms"] = "5000";
        var submitted = await Cluster.Jobs.SubmitAsync(JobSubmission.For<RollingCountJob>(2, parameters));
        var watch = Watch(submitted.JobId, gate);
        await watch.WaitUntilAsync(s => s.RecordsOf("numbers") > 0 || s.IsTerminal, "some input");

        var stop = await Assert.ThrowsAsync<SavepointFailedException>(() => Cluster.Jobs.StopWithSavepointAsync(submitted.JobId, JobWatch.Patience));
        Output.WriteLine(stop.Message);
        gate.Signal("stall-released");

        // The sources stopped at the savepoint's barrier; it was abandoned, so they read on and the job runs.
        long read = (await Cluster.Jobs.GetStatusAsync(submitted.JobId)).RecordsOf("numbers");
        var reading = await watch.WaitUntilAsync(s => s.RecordsOf("numbers") > read + 1_000 || s.IsTerminal, "the sources to read on");
        Assert.Equal((JobState.Running, 1, 0), (reading.State, reading.Attempt, reading.Checkpoints.Restarts));
        await Cluster.Jobs.CancelAsync(submitted.JobId);
    }

    [Fact]
    public async Task A_commit_that_fails_restarts_the_job_which_commits_again_and_the_committed_output_is_exact()
    {
        const long count = 16_000;
        var gate = NewGate(budget: 2_000);
        var parameters = Parameters(count, rate: 4_000, gate);
        parameters["poison-run"] = Guid.NewGuid().ToString();
        parameters["fail-commit"] = "true";
        var submitted = await Cluster.Jobs.SubmitAsync(JobSubmission.For<RollingCountJob>(2, parameters));
        var watch = Watch(submitted.JobId, gate);
        await watch.WaitUntilCheckpointedAfterInputAsync("numbers");
        int committedBefore = Committed().Count;
        gate.Open();

        var status = await watch.WaitForEndAsync();

        Assert.Equal(JobState.Finished, status.State);
        Assert.Equal(1, status.Checkpoints.Restarts);
        Assert.Contains("the output store refused the commit of checkpoint", status.Checkpoints.LastFailure);
        watch.AssertRestartedAndRestored(status);
        Output.WriteLine($"{committedBefore} lines were committed before the refused commit");
        Assert.Equal(RollingCountJob.Expected(count), Committed());
    }

    [Fact]
    public async Task A_job_that_fails_on_every_attempt_ends_failed_when_its_restart_strategy_gives_up_having_committed_nothing_twice()
    {
        const long count = 20_000;

        // Two readers of at most 2,000 records each: records 0 to 3,999 are committed before the failing record is read,
        // and at 2,000 records per second and reader the first attempt after the hold completes checkpoints on the way to it.
        var gate = NewGate(budget: 2_000);
        var parameters = Parameters(count, rate: 2_000, gate);
        parameters["fail-at"] = "9000";
        var submitted = await Cluster.Jobs.SubmitAsync(JobSubmission.For<RollingCountJob>(2, parameters));
        var watch = Watch(submitted.JobId, gate);
        await watch.WaitUntilCheckpointedAsync(s => s.RecordsOf("numbers") == 4_000, what: "the readers were held");
        gate.Open();

        var status = await watch.WaitForEndAsync();

        // RollingCountJob allows 5 restarts: the sixth failure ends the job.
        Assert.Equal(JobState.Failed, status.State);
        Assert.Equal(6, status.Attempt);
        Assert.Equal(6, status.Checkpoints.Restarts);
        Assert.Contains("record 9000 fails every time", status.Failure);
        Assert.Contains("gave up after 5 restarts", status.Failure);
        Assert.Contains("at most 5 restarts", status.Failure);
        watch.AssertRestartedAndRestored(status);

        // Every attempt restored a checkpoint and read past it again: each committed line is there once, and each is
        // one a failure-free run commits, those of the records before the hold among them.
        var committed = Committed();
        Output.WriteLine($"{committed.Count} lines committed by the failing attempts");
        Assert.Equal(committed.Distinct().Count(), committed.Count);
        Assert.Empty(committed.Except(RollingCountJob.Expected(count)));
        Assert.Empty(RollingCountJob.Expected(4_000).Except(committed));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public async Task Silos_killed_one_after_another_at_seeded_random_points_leave_the_committed_output_exact(int seed)
    {
        const long count = 40_000;
        var random = new Random(seed);

        // Each reader (20,000 records) reads at most 6,000 per attempt until the gate opens: every kill hits a job mid-input.
        var gate = NewGate(budget: 6_000);
        var submitted = await Cluster.Jobs.SubmitAsync(JobSubmission.For<RollingCountJob>(2, Parameters(count, rate: 4_000, gate)));
        var watch = Watch(submitted.JobId, gate);
        for (int kill = 0; kill < 2; kill++)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(random.Next(0, 1_500)));
            await KillATaskSiloAndWaitForTheRestartAsync(watch, "numbers", random: random);
            await Cluster.Cluster.StartAdditionalSiloAsync();
        }

        gate.Open();
        var final = await watch.WaitForEndAsync();

        Assert.Equal(JobState.Finished, final.State);
        Assert.True(final.Checkpoints.Restarts >= 2, $"two kills should have restarted the job twice: {final.Checkpoints}");
        Assert.Equal(RollingCountJob.Expected(count), Committed());
    }

    [Fact]
    public async Task Killing_a_silo_mid_job_restarts_it_on_the_others_and_the_committed_output_is_exact()
    {
        const long count = 30_000;
        var random = new Random(20261125);
        var gate = NewGate(budget: 5_000);
        var submitted = await Cluster.Jobs.SubmitAsync(JobSubmission.For<RollingCountJob>(2, Parameters(count, rate: 4_000, gate)));
        var watch = Watch(submitted.JobId, gate);

        // A silo that runs tasks but not the job grain (that case has its own test), at a seeded random point.
        await Task.Delay(TimeSpan.FromMilliseconds(random.Next(0, 1_500)));
        await KillATaskSiloAndWaitForTheRestartAsync(watch, "numbers");
        gate.Open();
        var status = await watch.WaitForEndAsync();

        Assert.Equal(JobState.Finished, status.State);
        Assert.True(status.Checkpoints.Restarts >= 1);
        Assert.Equal(RollingCountJob.Expected(count), Committed());
    }

    [Fact]
    public async Task Killing_the_job_grains_silo_resumes_the_job_elsewhere_and_the_committed_output_is_exact()
    {
        const long count = 30_000;
        var gate = NewGate(budget: 5_000);
        var submitted = await Cluster.Jobs.SubmitAsync(JobSubmission.For<RollingCountJob>(2, Parameters(count, rate: 4_000, gate)));
        var watch = Watch(submitted.JobId, gate);
        var before = await watch.WaitUntilCheckpointedAfterInputAsync("numbers");
        var supervisor = before.SupervisorSilo!;
        Output.WriteLine($"killing the job grain's silo {supervisor}");
        await Cluster.KillAsync(Cluster.SiloOf(supervisor));
        await watch.WaitUntilRestartedAsync();
        gate.Open();

        var status = await watch.WaitForEndAsync();

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

        // Held at a quarter of its input: the first run cannot end before it is stopped.
        var gate = NewGate(budget: count / before / 4);
        var first = await Cluster.Jobs.SubmitAsync(JobSubmission.For<RollingCountJob>(before, Parameters(count, rate: 8_000 / before, gate)));
        await Watch(first.JobId, gate).WaitUntilCheckpointedAfterInputAsync("numbers");

        var savepoint = await Cluster.Jobs.StopWithSavepointAsync(first.JobId, JobWatch.Patience);
        var stopped = await Cluster.Jobs.GetStatusAsync(first.JobId);
        Output.WriteLine($"stopped with {savepoint}: {stopped.Checkpoints}; {Committed().Count} lines committed");
        Assert.Equal(JobState.Stopped, stopped.State);
        Assert.True(Committed().Count < count, "the first run should stop before the end of its input");

        var second = await Cluster.Jobs.SubmitAsync(JobSubmission.For<RollingCountJob>(after, Parameters(count, rate: 0, gate: null)) with { FromSavepoint = savepoint });
        var status = await WaitForEndAsync(second.JobId);

        Assert.Equal(JobState.Finished, status.State);
        Assert.Equal(savepoint, status.Checkpoints.RestoredFrom);
        Assert.Equal(RollingCountJob.Expected(count), Committed());
    }

    [Fact]
    public async Task A_savepoint_taken_while_the_job_runs_starts_a_second_job_that_goes_on_exactly_from_it_while_the_first_runs_to_its_end()
    {
        const long count = 24_000;
        const int parallelism = 2;
        const long budget = 3_000;
        string firstOutput = Path.Combine(OutputDirectory, "first"), secondOutput = Path.Combine(OutputDirectory, "second");
        Directory.CreateDirectory(firstOutput);
        Directory.CreateDirectory(secondOutput);

        // Held after 3,000 records per reader: records 0 to 5,999 (reader s emits s, s + 2, ...).
        var gate = NewGate(budget);
        var first = await Cluster.Jobs.SubmitAsync(JobSubmission.For<RollingCountJob>(parallelism, Parameters(count, rate: 0, gate, firstOutput)));
        var watch = Watch(first.JobId, gate);
        await watch.WaitUntilCheckpointedAsync(s => s.RecordsOf("numbers") == budget * parallelism, what: "the readers were held");

        var savepoint = await Cluster.Jobs.TriggerSavepointAsync(first.JobId, JobWatch.Patience);
        var running = await Cluster.Jobs.GetStatusAsync(first.JobId);
        Output.WriteLine($"savepoint {savepoint} of a running job: {running.Checkpoints}");
        Assert.Equal(JobState.Running, running.State);
        Assert.Contains(running.Checkpoints.Savepoints, s => s.Pointer == savepoint);

        var second = await Cluster.Jobs.SubmitAsync(JobSubmission.For<RollingCountJob>(parallelism, Parameters(count, rate: 0, gate: null, secondOutput)) with { FromSavepoint = savepoint });
        gate.Open();
        var firstEnd = await watch.WaitForEndAsync();
        var secondEnd = await WaitForEndAsync(second.JobId);

        Assert.Equal(JobState.Finished, firstEnd.State);
        Assert.Equal(JobState.Finished, secondEnd.State);
        Assert.Equal(savepoint, secondEnd.Checkpoints.RestoredFrom);
        Assert.Equal(RollingCountJob.Expected(count), RollingCountJob.Committed(firstOutput));
        Assert.Equal(RollingCountJob.Expected(budget * parallelism, count), RollingCountJob.Committed(secondOutput));
    }

    [Fact]
    public async Task Canceling_an_exactly_once_job_shows_nothing_it_had_not_committed_and_releases_its_tasks()
    {
        const long count = 24_000;
        const int parallelism = 2;
        const long budget = 3_000;

        // No periodic checkpoint after the first: what the job commits is what the test's savepoint covers.
        var gate = NewGate(budget);
        var parameters = Parameters(count, rate: 0, gate);
        parameters["checkpoint-ms"] = "3600000";
        var submitted = await Cluster.Jobs.SubmitAsync(JobSubmission.For<RollingCountJob>(parallelism, parameters));
        var watch = Watch(submitted.JobId, gate);
        await watch.WaitUntilAsync(s => s.RecordsOf("numbers") == budget * parallelism || s.IsTerminal, "the readers to be held");
        var savepoint = await Cluster.Jobs.TriggerSavepointAsync(submitted.JobId, JobWatch.Patience);
        var covered = RollingCountJob.Expected(budget * parallelism);
        await watch.WaitUntilAsync(_ => Committed().SequenceEqual(covered), $"the output of savepoint {savepoint} to be committed");

        // Twice as much reaches the sink, uncommitted, before the job is canceled.
        gate.Allow(2 * budget);
        var written = await watch.WaitUntilAsync(s => s.RecordsOf("committed output") == 2 * budget * parallelism || s.IsTerminal, "the sink to receive the uncommitted records");
        Assert.Equal(JobState.Running, written.State);

        var canceled = await new OrleansStream.Client.StreamClient(Cluster.Cluster.Client).CancelAsync(submitted.JobId);

        Assert.Equal(JobState.Canceled, canceled.State);
        Assert.Null(canceled.Failure);
        await Cluster.WaitUntilNoTasksOfAsync(submitted.JobId, JobWatch.Patience);
        Assert.Equal(JobState.Canceled, (await Cluster.Jobs.GetStatusAsync(submitted.JobId)).State);
        Assert.Equal(covered, Committed());
    }
}
