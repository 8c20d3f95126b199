using System.Diagnostics;
using OrleansStream.Contracts.Jobs;
using OrleansStream.Tests.Fixtures;
using StackExchange.Redis;
using Xunit.Abstractions;

namespace OrleansStream.Tests.Cluster;

/// <summary>
/// Scale to zero: a job with an idle timeout over a Redis stream releases every task once the stream has no new entries,
/// and wakes from its checkpoint, with its keyed state, when entries arrive; also when every silo stopped meanwhile.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class IdleJobTests(PostgresServer postgres, RedisServer redis, ITestOutputHelper output)
    : RecoveryClusterTest(postgres, output, "idle"), IClassFixture<RedisServer>
{
    private const long Batch = 2_000;

    /// <summary>
    /// Longer than any wait here: a job whose grain no silo holds is found by the silos' look at the job list as they
    /// start (<c>JobResumption</c>), not by its reminder.
    /// </summary>
    protected override TimeSpan? JobReminderPeriod => TimeSpan.FromMinutes(10);

    [Fact]
    public async Task A_job_without_input_goes_idle_with_no_task_left_and_wakes_with_its_state_when_input_arrives()
    {
        await using var connection = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);
        var db = connection.GetDatabase();
        var (input, results) = await ExternalSystemsRecoveryTests.NumbersStreamAsync(db, Batch);
        var (jobId, watch) = await SubmitAsync(input, results);

        await WaitUntilIdleAsync(watch, jobId, db, results, Batch);
        var wake = await AddAndMeasureWakeAsync(watch, db, input, results, Batch);
        Output.WriteLine($"first output {wake.TotalMilliseconds:F0} ms after the first new entry");

        // Rolling counts that go on from the first batch's: the keyed state came back from the idle checkpoint.
        await WaitUntilCommittedAsync(db, results, 2 * Batch);
        var status = await watch.WaitUntilAsync(s => s.State == JobState.Idle, "the job to go idle again");
        Assert.Equal(1, status.Wakes);
        Assert.Equal(0, status.Checkpoints.Restarts);
        Assert.Equal(0, status.Checkpoints.Failed);
        Assert.Equal(RollingCountJob.Expected(2 * Batch), await CommittedAsync(db, results));

        await Cluster.Jobs.CancelAsync(jobId);
        Assert.Equal(JobState.Canceled, (await Cluster.Jobs.GetStatusAsync(jobId)).State);
        await Cluster.WaitUntilNoTasksOfAsync(jobId, JobWatch.Patience);
    }

    [Fact]
    public async Task An_idle_job_survives_every_silo_stopping_and_wakes_by_itself_on_the_silos_that_come_back()
    {
        await using var connection = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);
        var db = connection.GetDatabase();
        var (input, results) = await ExternalSystemsRecoveryTests.NumbersStreamAsync(db, Batch);
        var (jobId, watch) = await SubmitAsync(input, results);
        await WaitUntilIdleAsync(watch, jobId, db, results, Batch);

        // Scaled to zero: the job and its state are only in PostgreSQL. The silos that come back have never run it.
        await Cluster.Cluster.StopAllSilosAsync();
        await AddNumbersAsync(db, input, Batch, Batch);
        await Cluster.Cluster.StartAdditionalSilosAsync(RecoveryCluster.Silos);
        await Cluster.Cluster.InitializeClientAsync();

        // A silo that starts looks in on the jobs that have not ended: the job grain activates, finds the new entries
        // and wakes the job (its reminder would take ten minutes).
        var woken = Watch(jobId);
        await WaitUntilCommittedAsync(db, results, 2 * Batch);
        var status = await woken.WaitUntilAsync(s => s.State == JobState.Idle, "the job to go idle again");
        Assert.Equal(1, status.Wakes);
        Assert.Equal(0, status.Checkpoints.Restarts);
    }

    [Fact]
    public async Task A_job_on_a_monitored_directory_goes_idle_and_wakes_when_a_file_is_added()
    {
        using var input = new Connectors.TempDirectory();
        await File.WriteAllLinesAsync(input.Combine("0.txt"), Enumerable.Range(0, (int)Batch).Select(i => i.ToString()));
        var parameters = new Dictionary<string, string> { ["monitor"] = input.Path, ["output"] = OutputDirectory, ["idle-timeout-ms"] = "1000" };
        var submitted = await Cluster.Jobs.SubmitAsync(JobSubmission.For<RollingCountJob>(2, parameters));
        var watch = Watch(submitted.JobId);

        var idle = await watch.WaitUntilAsync(s => s.State == JobState.Idle || s.IsTerminal, "the job to go idle");
        Assert.Equal(JobState.Idle, idle.State);
        Assert.Equal(RollingCountJob.Expected(Batch), Committed());
        await Cluster.WaitUntilNoTasksOfAsync(submitted.JobId, JobWatch.Patience);

        // A second file: the job wakes, counts on from its state, and idles again.
        await File.WriteAllLinesAsync(input.Combine("1.txt"), Enumerable.Range((int)Batch, (int)Batch).Select(i => i.ToString()));
        var again = await watch.WaitUntilAsync(s => (s.State == JobState.Idle && s.Wakes == 1) || s.IsTerminal, "the job to wake and idle again");
        Assert.Equal((JobState.Idle, 0), (again.State, again.Checkpoints.Restarts));
        Assert.Equal(RollingCountJob.Expected(2 * Batch), Committed());
    }

    private async Task<(string JobId, JobWatch Watch)> SubmitAsync(string input, string results)
    {
        var parameters = new Dictionary<string, string>
        {
            ["redis"] = redis.ConnectionString,
            ["redis-input"] = input,
            ["redis-output"] = results,
            ["idle-timeout-ms"] = "1000",
        };
        var submitted = await Cluster.Jobs.SubmitAsync(JobSubmission.For<ExternalRollingCountJob>(2, parameters));
        return (submitted.JobId, Watch(submitted.JobId));
    }

    /// <summary>Waits until the first <paramref name="count"/> numbers are committed and the job is idle, with no task activation left.</summary>
    private async Task WaitUntilIdleAsync(JobWatch watch, string jobId, IDatabase db, string results, long count)
    {
        var idle = await watch.WaitUntilAsync(s => s.State == JobState.Idle || s.IsTerminal, "the job to go idle");
        Assert.Equal(JobState.Idle, idle.State);
        Assert.NotNull(idle.IdleSince);
        Assert.Equal(RollingCountJob.Expected(count), await CommittedAsync(db, results));
        await Cluster.WaitUntilNoTasksOfAsync(jobId, JobWatch.Patience);
        Assert.Equal(JobState.Idle, (await Cluster.Jobs.GetStatusAsync(jobId)).State);
    }

    /// <summary>Adds the next batch and returns the time from its first entry to the first new committed result.</summary>
    private static async Task<TimeSpan> AddAndMeasureWakeAsync(JobWatch watch, IDatabase db, string input, string results, long from)
    {
        long before = await db.StreamLengthAsync(results);
        var clock = Stopwatch.StartNew();
        await AddNumbersAsync(db, input, from, Batch);
        while (await db.StreamLengthAsync(results) == before)
        {
            Assert.True(clock.Elapsed < JobWatch.Patience, "no output after the idle job's input arrived");
            await Task.Delay(TimeSpan.FromMilliseconds(5));
        }

        var woken = await watch.WaitUntilAsync(s => s.Wakes == 1, "the job to count its wake-up");
        Assert.Equal(JobState.Running, woken.State);
        return clock.Elapsed;
    }

    private static async Task AddNumbersAsync(IDatabase db, string stream, long from, long count)
    {
        var batch = db.CreateBatch();
        var adds = Enumerable.Range(0, (int)count).Select(i => batch.StreamAddAsync(stream, "value", from + i)).ToList();
        batch.Execute();
        await Task.WhenAll(adds);
    }

    /// <summary>Waits until the results of the first <paramref name="count"/> numbers are committed, and nothing else.</summary>
    private static async Task WaitUntilCommittedAsync(IDatabase db, string results, long count)
    {
        var expected = RollingCountJob.Expected(count);
        var clock = Stopwatch.StartNew();
        List<string> committed;
        while (!(committed = await CommittedAsync(db, results)).SequenceEqual(expected))
        {
            Assert.True(committed.Count <= expected.Count, $"{committed.Count} results committed, {expected.Count} expected");
            Assert.True(clock.Elapsed < JobWatch.Patience, $"{committed.Count} of {expected.Count} results committed after {JobWatch.Patience.TotalMinutes} min");
            await Task.Delay(TimeSpan.FromMilliseconds(50));
        }
    }

    private static Task<List<string>> CommittedAsync(IDatabase db, string results) => ExternalSystemsRecoveryTests.CommittedEntriesAsync(db, results);
}
