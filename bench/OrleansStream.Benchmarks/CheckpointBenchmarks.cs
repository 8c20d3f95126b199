using System.Diagnostics;
using System.Globalization;

namespace OrleansStream.Benchmarks;

/// <summary>What the checkpoints mode runs, from the command line.</summary>
internal sealed record CheckpointBenchmarkOptions(
    IReadOnlyList<long> Keys,
    int Samples,
    IReadOnlyList<string> Storages,
    long CostRecords,
    int CostPairs,
    IReadOnlyList<MembershipProfile> Membership,
    int? RestartDelayMs,
    bool DurablePostgres);

/// <summary>
/// The checkpoint benchmarks of issue 3, each printing a table: checkpoint duration and size by state
/// size and storage ("checkpoint-size"), throughput with checkpoints every second against without
/// ("checkpoint-cost"), and the time from a silo kill to a running, checkpointing job ("recovery").
/// </summary>
internal static class CheckpointBenchmarks
{
    public static async Task RunAsync(string part, CheckpointBenchmarkOptions options)
    {
        bool all = part == "checkpoints";
        bool needsPostgres = all || part == "recovery" || (part == "checkpoint-size" && options.Storages.Contains("postgres"));
        await using var postgres = needsPostgres ? await PostgresServer.StartAsync(options.DurablePostgres) : null;
        if (postgres is not null)
        {
            Console.WriteLine($"PostgreSQL: throwaway server, {(options.DurablePostgres ? "fsync and synchronous_commit on (defaults)" : "fsync, synchronous_commit and full_page_writes off")}");
        }

        if (all || part == "checkpoint-size")
        {
            await RunSizesAsync(options, postgres);
        }

        if (all || part == "checkpoint-cost")
        {
            await RunCostAsync(options);
        }

        if (all || part == "recovery")
        {
            await RunRecoveryAsync(options, postgres!);
        }
    }

    private static async Task RunSizesAsync(CheckpointBenchmarkOptions options, PostgresServer? postgres)
    {
        var results = new List<CheckpointSizeResult>();
        foreach (long keys in options.Keys)
        {
            foreach (string storage in options.Storages)
            {
                string database = Path.Combine(Path.GetTempPath(), $"orleansstream-bench-{Guid.NewGuid():N}.db");
                var target = storage switch
                {
                    "sqlite" => CheckpointStorage.Sqlite(database),
                    "postgres" => CheckpointStorage.Postgres(await postgres!.CreateDatabaseAsync($"size_{Guid.NewGuid():N}"[..13])),
                    _ => throw new ArgumentException($"Unknown storage '{storage}'; use sqlite or postgres."),
                };
                try
                {
                    results.Add(await CheckpointSizeBenchmark.RunAsync(target, keys, options.Samples, TimeSpan.FromMinutes(10)));
                }
                finally
                {
                    foreach (var file in Directory.GetFiles(Path.GetTempPath(), Path.GetFileName(database) + "*"))
                    {
                        File.Delete(file);
                    }
                }

                // Each run's state is garbage now; the next run should not pay for collecting it.
                GC.Collect();
            }
        }

        Console.WriteLine();
        Console.WriteLine("Checkpoint duration and size (keyed rolling count, 1 silo, parallelism 2, checkpoint every 1 s, input trickling at 1,000 records/s once every key is in state).");
        Console.WriteLine("Floor: the same entries serialized by one plain loop into chunks of the same size, written one after another through the same snapshot store.");
        Console.WriteLine("| storage | keys in state | checkpoints | median duration | min-max | floor (serialize + write) | duration / floor | median size | floor size | fill, checkpoints off | fill, checkpoints on | managed heap when full | failed |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var r in results)
        {
            var durations = r.Checkpoints.Select(c => c.Duration).Order().ToList();
            var floor = r.Floor.Serialize + r.Floor.Write;
            Console.WriteLine(Invariant(
                $"| {r.Storage} | {r.Keys:N0} | {r.Checkpoints.Count} | **{Ms(r.MedianDuration)}** | {Ms(durations[0])}-{Ms(durations[^1])} | {Ms(floor)} ({Ms(r.Floor.Serialize)} + {Ms(r.Floor.Write)}) | {r.MedianDuration / floor:F2} | {Bytes(r.MedianBytes)} | {Bytes(r.Floor.Bytes)} | {Ms(r.FillWithoutCheckpoints)} | {Ms(r.Fill)} | {Bytes(r.ManagedHeapBytes)} | {r.FailedCheckpoints} |"));
        }

        Console.WriteLine(Invariant($"Peak working set so far: {Bytes(Process.GetCurrentProcess().PeakWorkingSet64)}"));
    }

    private static async Task RunCostAsync(CheckpointBenchmarkOptions options)
    {
        var runs = new List<CheckpointCostRun>();
        runs.AddRange(await CheckpointCostBenchmark.RunAsync<IpCountPipelineJob>("IP count pipeline", options.CostRecords, options.CostPairs, new Dictionary<string, string>()));
        runs.AddRange(await CheckpointCostBenchmark.RunAsync<KeyedCountJob>("rolling count, 10^6 keys", options.CostRecords, options.CostPairs,
            new Dictionary<string, string> { ["keys"] = "1000000" }));

        Console.WriteLine();
        Console.WriteLine("Throughput with checkpoints every second against without (1 silo, parallelism 2, SQLite checkpoint storage; runs in the order off, on, on, off, ...)");
        Console.WriteLine("| run | records | records/s | CPU time | allocated B/record | GC pause | checkpoints completed | median checkpoint duration | median size | with / without |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var group in runs.GroupBy(r => r.Measurement.Name[..r.Measurement.Name.IndexOf(", checkpoints", StringComparison.Ordinal)]))
        {
            double without = Median(group.Where(r => !r.Checkpointed).Select(r => r.Measurement.RecordsPerSecond));
            foreach (var r in group)
            {
                var m = r.Measurement;
                string durations = r.Seen.Count == 0 ? "-" : Ms(r.Seen.Select(c => c.Duration).Order().ElementAt(r.Seen.Count / 2));
                string sizes = r.Seen.Count == 0 ? "-" : Bytes(r.Seen.Select(c => c.Bytes).Order().ElementAt(r.Seen.Count / 2));
                Console.WriteLine(Invariant(
                    $"| {m.Name} | {m.Records:N0} | {m.RecordsPerSecond / 1e6:F2} M | {m.CpuTime.TotalSeconds:F1} s | {m.BytesPerRecord:F0} | {m.GcPause.TotalMilliseconds:F0} ms | {r.Completed} | {durations} | {sizes} | {m.RecordsPerSecond / without:F2} |"));
            }

            double with = Median(group.Where(r => r.Checkpointed).Select(r => r.Measurement.RecordsPerSecond));
            Console.WriteLine(Invariant($"| {group.Key}: median with / median without | | | | | | | | | **{with / without:F2}** |"));
        }
    }

    private static async Task RunRecoveryAsync(CheckpointBenchmarkOptions options, PostgresServer postgres)
    {
        var results = new List<RecoveryResult>();
        foreach (var profile in options.Membership)
        {
            results.AddRange(await RecoveryBenchmark.RunAsync(postgres, profile, options.RestartDelayMs, TimeSpan.FromMinutes(5)));
        }

        Console.WriteLine();
        Console.WriteLine("Recovery after a silo crash (3 silo processes x 2 slots, killed with SIGKILL; PostgreSQL membership, reminders and checkpoints; keyed count of 10^5 keys at 40,000 records/s, checkpoint every 1 s, parallelism 2). Times from the kill.");
        Console.WriteLine("| membership | killed | restart delay | job grain noticed | next attempt started | its first checkpoint completed |");
        Console.WriteLine("|---|---|---|---:|---:|---:|");
        foreach (var r in results)
        {
            Console.WriteLine(Invariant(
                $"| {r.Profile} | {r.Victim} | {r.Restart} | {Ms(r.Noticed)} | {Ms(r.AttemptStarted)} | **{Ms(r.Recovered)}** |"));
        }

        Console.WriteLine("What the job's record showed after each kill (time from the kill):");
        foreach (var r in results)
        {
            Console.WriteLine($"- {r.Profile}, {r.Victim}: {r.Trace}");
        }
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
    }

    private static string Ms(TimeSpan time) => time.TotalSeconds >= 10 ? Invariant($"{time.TotalSeconds:F1} s") : Invariant($"{time.TotalMilliseconds:N0} ms");

    private static string Bytes(long bytes) => bytes >= 1 << 20 ? Invariant($"{bytes / 1048576.0:F1} MiB") : Invariant($"{bytes / 1024.0:F1} KiB");

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
