using OrleansStream.Api;
using OrleansStream.Contracts.Checkpoints;
using OrleansStream.Contracts.Jobs;
using OrleansStream.Runtime.Hosting;

namespace OrleansStream.Benchmarks;

/// <summary>One run of a job for the checkpoint cost: its measurement and the checkpoints it completed.</summary>
internal sealed record CheckpointCostRun(Measurement Measurement, bool Checkpointed, long Completed, long Failed, IReadOnlyList<CompletedCheckpointInfo> Seen);

/// <summary>
/// Throughput of the same bounded job with checkpoints every second and without, alternating (off,
/// on, on, off, ...) in one silo (parallelism 2) whose checkpoints go to a SQLite file, the embedded default.
/// </summary>
internal static class CheckpointCostBenchmark
{
    private const int Parallelism = 2;

    public static async Task<IReadOnlyList<CheckpointCostRun>> RunAsync<TJob>(string name, long records, int pairs, IReadOnlyDictionary<string, string> parameters)
        where TJob : IStreamJob, new()
    {
        string database = Path.Combine(Path.GetTempPath(), $"orleansstream-bench-{Guid.NewGuid():N}.db");
        try
        {
            await using var cluster = await LocalCluster.StartAsync(1, silo => silo.UseTaskSlots(Parallelism), stateDatabase: database);

            // Warm up both paths (tiered compilation), as the pipeline benchmark does.
            await RunJobAsync<TJob>(cluster, Math.Min(records, 5_000_000), checkpointed: false, parameters);
            await RunJobAsync<TJob>(cluster, Math.Min(records, 5_000_000), checkpointed: true, parameters);
            var runs = new List<CheckpointCostRun>();
            for (int pair = 0; pair < pairs; pair++)
            {
                // Off, on, on, off, ...: a drift in the machine's speed during the runs falls on both sides alike.
                foreach (bool checkpointed in pair % 2 == 0 ? new[] { false, true } : new[] { true, false })
                {
                    JobCheckpoints? outcome = null;
                    var measurement = await Measurement.TimeAsync($"{name}, checkpoints {(checkpointed ? "every 1 s" : "off")}", records,
                        async () => outcome = await RunJobAsync<TJob>(cluster, records, checkpointed, parameters));
                    runs.Add(new CheckpointCostRun(measurement, checkpointed, outcome!.Completed, outcome.Failed, outcome.Seen));
                }
            }

            return runs;
        }
        finally
        {
            foreach (var file in Directory.GetFiles(Path.GetTempPath(), Path.GetFileName(database) + "*"))
            {
                File.Delete(file);
            }
        }
    }

    private static async Task<JobCheckpoints> RunJobAsync<TJob>(LocalCluster cluster, long records, bool checkpointed, IReadOnlyDictionary<string, string> parameters)
        where TJob : IStreamJob, new()
    {
        var all = new Dictionary<string, string>(parameters)
        {
            ["count"] = records.ToString(),
            ["run"] = Guid.NewGuid().ToString("N"),
            ["checkpoint-ms"] = checkpointed ? "1000" : "0",
        };
        var status = await cluster.Jobs.SubmitAsync(JobSubmission.For<TJob>(Parallelism, all));

        // A finished job keeps no retained checkpoint to show, so the completed ones are noted while it runs.
        var seen = new List<CompletedCheckpointInfo>();
        while (!status.IsTerminal)
        {
            await Task.Delay(100);
            status = await cluster.Jobs.GetStatusAsync(status.JobId);
            if (status.Checkpoints.Latest is { } latest && seen.All(c => c.Id != latest.Id))
            {
                seen.Add(latest);
            }
        }

        if (status.State != JobState.Finished)
        {
            throw new InvalidOperationException($"Benchmark job {status.State}: {status.Failure}");
        }

        return new JobCheckpoints(status.Checkpoints.Completed, status.Checkpoints.Failed, seen);
    }

    private sealed record JobCheckpoints(long Completed, long Failed, IReadOnlyList<CompletedCheckpointInfo> Seen);
}
