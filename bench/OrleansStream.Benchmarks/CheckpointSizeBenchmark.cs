using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OrleansStream.Contracts.Checkpoints;
using OrleansStream.Contracts.Jobs;
using OrleansStream.Runtime.Checkpoints;
using OrleansStream.Runtime.Hosting;

namespace OrleansStream.Benchmarks;

/// <summary>What the checkpoints of one state size on one storage measured, with the baselines of the same run.</summary>
internal sealed record CheckpointSizeResult(
    string Storage,
    long Keys,
    TimeSpan FillWithoutCheckpoints,
    TimeSpan Fill,
    CheckpointFloorResult Floor,
    IReadOnlyList<CompletedCheckpointInfo> Checkpoints,
    long FailedCheckpoints,
    long ManagedHeapBytes)
{
    public TimeSpan MedianDuration => Checkpoints.Select(c => c.Duration).Order().ElementAt(Checkpoints.Count / 2);

    public long MedianBytes => Checkpoints.Select(c => c.Bytes).Order().ElementAt(Checkpoints.Count / 2);
}

/// <summary>
/// Checkpoint duration and size with a given number of keys in state: <see cref="KeyedCountJob"/> on
/// one silo (parallelism 2) with checkpoints every second; once every key is in the state, the job
/// trickles and the benchmark collects completed checkpoints that started after that moment. In the
/// same silo, first: the same job without checkpoints (how long filling the state takes without them),
/// and the <see cref="CheckpointFloor"/> of that state.
/// </summary>
internal static class CheckpointSizeBenchmark
{
    private const int Parallelism = 2;
    private const double TrickleRecordsPerSecond = 1_000;

    public static async Task<CheckpointSizeResult> RunAsync(CheckpointStorage storage, long keys, int samples, TimeSpan timeout)
    {
        await using var silo = await BenchSilo.StartAsync(storage, Parallelism);
        using var deadline = new CancellationTokenSource(timeout);

        var withoutCheckpoints = await SubmitAsync(silo, keys, checkpointed: false);
        var fillWithout = await FillAsync(silo, withoutCheckpoints, keys, deadline.Token);
        await CancelAsync(silo, withoutCheckpoints.JobId);

        var store = silo.Services.GetRequiredService<SnapshotStore>();
        var floor = await CheckpointFloor.MeasureAsync(store, keys, silo.Services.GetRequiredService<IOptions<OrleansStreamOptions>>().Value.CheckpointChunkBytes);
        GC.Collect();

        var job = await SubmitAsync(silo, keys, checkpointed: true);
        try
        {
            var fill = await FillAsync(silo, job, keys, deadline.Token);
            var full = DateTimeOffset.UtcNow;
            long heap = GC.GetTotalMemory(forceFullCollection: false);
            var checkpoints = new List<CompletedCheckpointInfo>();
            JobStatus status;
            do
            {
                await Task.Delay(50, deadline.Token);
                status = await EnsureRunningAsync(silo, job.JobId);
                if (status.Checkpoints.Latest is { } latest && latest.CompletedAt - latest.Duration >= full && checkpoints.All(c => c.Id != latest.Id))
                {
                    checkpoints.Add(latest);
                }
            }
            while (checkpoints.Count < samples);

            return new CheckpointSizeResult(storage.Name, keys, fillWithout, fill, floor, checkpoints, status.Checkpoints.Failed, heap);
        }
        finally
        {
            await CancelAsync(silo, job.JobId);
        }
    }

    private static async Task<(string JobId, string Run)> SubmitAsync(BenchSilo silo, long keys, bool checkpointed)
    {
        string run = Guid.NewGuid().ToString("N");
        var parameters = new Dictionary<string, string>
        {
            ["run"] = run,
            ["keys"] = keys.ToString(),
            ["trickle"] = TrickleRecordsPerSecond.ToString(),
            ["checkpoint-ms"] = checkpointed ? "1000" : "0",
        };
        var status = await silo.Jobs.SubmitAsync(JobSubmission.For<KeyedCountJob>(Parallelism, parameters));
        return (status.JobId, run);
    }

    /// <summary>Waits until the job's state holds every key; returns how long that took from submission.</summary>
    private static async Task<TimeSpan> FillAsync(BenchSilo silo, (string JobId, string Run) job, long keys, CancellationToken cancellationToken)
    {
        var status = await silo.Jobs.GetStatusAsync(job.JobId);
        var started = status.StartedAt ?? DateTimeOffset.UtcNow;
        while (NewKeySink.NewKeys(job.Run) < keys)
        {
            await EnsureRunningAsync(silo, job.JobId);
            await Task.Delay(20, cancellationToken);
        }

        return DateTimeOffset.UtcNow - started;
    }

    /// <summary>Cancels the job and gives its tasks a moment to let go, so that the silo does not stop under a snapshot being written.</summary>
    private static async Task CancelAsync(BenchSilo silo, string jobId)
    {
        await silo.Jobs.CancelAsync(jobId);
        await Task.Delay(TimeSpan.FromSeconds(2));
        GC.Collect();
    }

    private static async Task<JobStatus> EnsureRunningAsync(BenchSilo silo, string jobId)
    {
        var status = await silo.Jobs.GetStatusAsync(jobId);
        return status.State == JobState.Running
            ? status
            : throw new InvalidOperationException($"Benchmark job {status.State} (attempt {status.Attempt}): {status.Failure ?? status.Checkpoints.LastFailure}");
    }
}
