using System.Diagnostics;
using OrleansStream.Contracts.Jobs;

namespace OrleansStream.Benchmarks;

/// <summary>
/// Times, from the moment a silo's process is killed, of the steps back to a running, checkpointing
/// job: the job grain noticing (its record shows the failure), the next attempt starting (its record
/// shows the new attempt, written just before the tasks are deployed), and that attempt's first
/// completed checkpoint (which needs every task deployed, restored and acknowledging).
/// </summary>
internal sealed record RecoveryResult(
    MembershipProfile Profile, string Victim, string Restart, TimeSpan Noticed, TimeSpan AttemptStarted, TimeSpan Recovered, string Trace);

/// <summary>
/// A silo crash in a three-silo cluster over PostgreSQL: <see cref="KeyedCountJob"/> (10^5 keys, a steady
/// 40,000 records/s, checkpoints every second, parallelism 2) runs until its checkpoints hold every
/// key; then the process of a silo that runs tasks but not the job grain is killed, and after the job
/// has recovered, the process of the silo of the job grain itself.
/// </summary>
internal static class RecoveryBenchmark
{
    private const int Parallelism = 2;
    private const long Keys = 100_000;
    private const double RatePerSubtask = 20_000;
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(10);

    public static async Task<IReadOnlyList<RecoveryResult>> RunAsync(PostgresServer postgres, MembershipProfile profile, int? restartDelayMs, TimeSpan timeout)
    {
        var connectionString = await postgres.CreateDatabaseAsync($"recovery_{Guid.NewGuid():N}"[..17]);
        await using var cluster = await RecoveryBenchCluster.StartAsync(connectionString, profile);
        var parameters = new Dictionary<string, string>
        {
            ["run"] = Guid.NewGuid().ToString("N"),
            ["keys"] = Keys.ToString(),
            ["rate"] = RatePerSubtask.ToString(),
            ["checkpoint-ms"] = "1000",
        };
        if (restartDelayMs is { } delay)
        {
            parameters["restart-delay-ms"] = delay.ToString();
        }

        string restart = restartDelayMs is { } d ? $"fixed delay {d} ms" : "default (fixed delay 1 s)";
        using var deadline = new CancellationTokenSource(timeout);
        var job = await RetryAsync(() => cluster.Jobs.SubmitAsync(JobSubmission.For<KeyedCountJob>(Parallelism, parameters)), deadline.Token);

        // Every key is in the state after Keys / rate seconds; two checkpoints after that hold them all.
        await Task.Delay(TimeSpan.FromSeconds(Keys / (RatePerSubtask * Parallelism)), deadline.Token);
        await WaitForCheckpointsAsync(cluster, job.JobId, 2, deadline.Token);

        var results = new List<RecoveryResult>();
        var status = await RetryAsync(() => cluster.Jobs.GetStatusAsync(job.JobId), deadline.Token);
        string taskSilo = status.Vertices.SelectMany(v => v.Slots).First(s => s != status.SupervisorSilo);
        results.Add(await MeasureAsync(cluster, job.JobId, taskSilo, "silo with tasks", profile, restart, deadline.Token));

        await WaitForCheckpointsAsync(cluster, job.JobId, 1, deadline.Token);
        status = await RetryAsync(() => cluster.Jobs.GetStatusAsync(job.JobId), deadline.Token);
        results.Add(await MeasureAsync(cluster, job.JobId, status.SupervisorSilo!, "silo with the job grain (and tasks)", profile, "none (resumes at once)", deadline.Token));

        await RetryAsync(async () => { await cluster.Jobs.CancelAsync(job.JobId); return true; }, deadline.Token);
        return results;
    }

    private static async Task WaitForCheckpointsAsync(RecoveryBenchCluster cluster, string jobId, int more, CancellationToken cancellationToken)
    {
        long completed = (await cluster.ReadJobAsync(jobId)).CompletedCheckpoints;
        while ((await cluster.ReadJobAsync(jobId)).CompletedCheckpoints < completed + more)
        {
            await Task.Delay(100, cancellationToken);
        }
    }

    private static async Task<RecoveryResult> MeasureAsync(
        RecoveryBenchCluster cluster, string jobId, string victim, string victimName, MembershipProfile profile, string restart, CancellationToken cancellationToken)
    {
        var before = await cluster.ReadJobAsync(jobId);
        var clock = Stopwatch.StartNew();
        cluster.Kill(victim);
        TimeSpan? noticed = null;
        TimeSpan? started = null;
        long completedAtStart = 0;
        var trace = new List<string>();
        var last = before;
        while (true)
        {
            var now = await cluster.ReadJobAsync(jobId);
            if (now != last)
            {
                trace.Add($"{clock.Elapsed.TotalSeconds:F2} s {now.State} attempt {now.Attempt}, {now.Restarts} restarts, {now.CompletedCheckpoints} checkpoints");
                last = now;
            }

            if (now.State is not (JobState.Running or JobState.Restarting))
            {
                throw new InvalidOperationException($"The job is {now.State} after the kill.");
            }

            if (noticed is null && (now.Restarts > before.Restarts || now.Attempt > before.Attempt))
            {
                noticed = clock.Elapsed;
            }

            if (started is null && now.Attempt > before.Attempt && now.State == JobState.Running)
            {
                started = clock.Elapsed;
                completedAtStart = now.CompletedCheckpoints;
            }

            if (started is not null && now.CompletedCheckpoints > completedAtStart)
            {
                return new RecoveryResult(profile, victimName, restart, noticed!.Value, started.Value, clock.Elapsed, string.Join("; ", trace));
            }

            await Task.Delay(Poll, cancellationToken);
        }
    }

    /// <summary>Client calls right after a kill may go to the dead silo's gateway and fail; the client moves on to another.</summary>
    private static async Task<T> RetryAsync<T>(Func<Task<T>> call, CancellationToken cancellationToken)
    {
        while (true)
        {
            try
            {
                return await call();
            }
            catch (Exception) when (!cancellationToken.IsCancellationRequested)
            {
                await Task.Delay(200, cancellationToken);
            }
        }
    }
}
