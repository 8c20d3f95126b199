using System.Diagnostics;
using OrleansStream.Contracts.Jobs;
using OrleansStream.Contracts.Rescaling;

namespace OrleansStream.Benchmarks;

/// <summary>
/// Live rescaling against stop-with-savepoint and resubmit, on the same one-silo cluster in the same run: a keyed
/// rolling count over <c>keys</c> keys (every key in state) fed at a quarter of the rate it sustains, rescaled 2 -> 4 and
/// 4 -> 2 live (the count, then the source), then the count's two changes by stopping with a savepoint and submitting
/// again from it. For each: how
/// long it took, the longest pause of a moved key group, the state moved, and the disruption: the time during
/// which counts came out more than 1 s after their reading was due. Last, the throughput of the unpaced job after a
/// live rescale 2 -> 4 against the same job started at 4.
/// </summary>
internal static class RescaleBenchmark
{
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(8);
    private static readonly TimeSpan Measure = TimeSpan.FromSeconds(10);

    /// <summary>
    /// The share of the sustained rate the paced job runs at. At half (15.3 M/s on 2 cores) the stop-with-savepoint
    /// baseline did not get back within 1 s of its schedule in 5 minutes (not investigated yet); a quarter measures.
    /// </summary>
    private const double PacedShare = 0.25;

    public static async Task RunAsync(long keys, int slots)
    {
        string directory = Directory.CreateTempSubdirectory("orleansstream-rescale-bench-").FullName;
        try
        {
            await using var silo = await BenchSilo.StartAsync(CheckpointStorage.Sqlite(Path.Combine(directory, "state.db")), slots);
            double sustained = await MeasureThroughputAsync(silo, keys, "sweep", Start.AtTwo);
            double rate = sustained * PacedShare;
            Console.WriteLine();
            Console.WriteLine($"Rescale: rolling count over {keys:N0} keys, sustained {sustained:N0} records/s at parallelism 2 (unpaced, over {Measure.TotalSeconds:0} s), run at {rate:N0} records/s");

            string run = $"rescale-{Guid.NewGuid():N}";
            long start = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() + 500;
            // Four splits for two readers, so that the source can hand two of them to new readers.
            var parameters = new Dictionary<string, string> { ["run"] = run, ["keys"] = keys.ToString(), ["rate"] = rate.ToString("R"), ["start"] = start.ToString(), ["splits"] = "4" };
            var timeline = LatenessSink.Of(run);
            var job = await silo.Jobs.SubmitAsync(JobSubmission.For<RescaleBenchJob>(2, parameters));

            // Every key in state, then a steady stretch to compare with.
            await WaitUntilAsync(() => timeline.Records >= keys, TimeSpan.FromMinutes(5));
            await Task.Delay(Settle);
            long steadyFrom = Now() - (long)Settle.TotalMilliseconds;
            var rows = new List<string> { Row("steady, before any rescale", null, timeline, steadyFrom, Now()) };

            foreach (var (vertex, to) in new[] { ("count", 4), ("count", 2), ("readings", 4), ("readings", 2) })
            {
                long from = Now();
                var rescale = await silo.Jobs.RescaleAsync(job.JobId, RescaleRequest.ForVertices(new Dictionary<string, int> { [vertex] = to }), TimeSpan.FromMinutes(5));
                await Task.Delay(Settle);
                rows.Add(Row($"live, {vertex} {string.Join(", ", rescale.Vertices.Select(v => $"{v.From} -> {v.To}"))}", rescale, timeline, from, Now()));
            }

            foreach (int to in new[] { 4, 2 })
            {
                long from = Now();
                var stopwatch = Stopwatch.StartNew();
                string savepoint = await silo.Jobs.StopWithSavepointAsync(job.JobId, TimeSpan.FromMinutes(5));
                job = await silo.Jobs.SubmitAsync(JobSubmission.For<RescaleBenchJob>(2, parameters) with
                {
                    FromSavepoint = savepoint,
                    VertexParallelism = new() { ["count"] = to },
                });
                var took = stopwatch.Elapsed;
                await WaitUntilAsync(() => timeline.Between(Now() - 1_000, Now()).All(b => b.MaxLateness <= 1_000), TimeSpan.FromMinutes(5));
                await Task.Delay(Settle);
                rows.Add(Row($"stop with savepoint + resubmit {(to == 4 ? "2 -> 4" : "4 -> 2")}", null, timeline, from, Now(), took));
            }

            await silo.Jobs.CancelAsync(job.JobId);
            Console.WriteLine("| event | took | longest pause of a moved key group or split | state moved | disruption (counts > 1 s late) | counts > 100 ms late | p99 latency | max latency |");
            Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|");
            rows.ForEach(Console.WriteLine);
            Console.WriteLine($"(each row: from the command until {Settle.TotalSeconds:0} s after it was done; latency is a count's lateness against its reading's due time; percentiles over every {LatenessSink.LatencySampling}th count)");

            // Alternating, so that a drift of the machine during the run weighs on both alike.
            foreach (string order in new[] { "sweep", "random" })
            {
                var started = new List<double>();
                var rescaled = new List<double>();
                var restored = new List<double>();
                for (int round = 0; round < 2; round++)
                {
                    started.Add(await MeasureThroughputAsync(silo, keys, order, Start.AtFour));
                    rescaled.Add(await MeasureThroughputAsync(silo, keys, order, Start.AtTwoRescaledLiveToFour));
                    restored.Add(await MeasureThroughputAsync(silo, keys, order, Start.AtTwoRestoredAtFour));
                }

                Console.WriteLine();
                Console.WriteLine($"Throughput of the unpaced job with 'count' at parallelism 4, keys in {order} order, over {Measure.TotalSeconds:0} s once every key is in state (two rounds each):");
                Console.WriteLine($"  started at 4:          {string.Join(", ", started.Select(r => $"{r:N0}"))} records/s");
                Console.WriteLine($"  rescaled live 2 -> 4: {string.Join(", ", rescaled.Select(r => $"{r:N0}"))} records/s");
                Console.WriteLine($"  restored at 4 from a savepoint taken at 2: {string.Join(", ", restored.Select(r => $"{r:N0}"))} records/s");
                Console.WriteLine($"  after a live rescale / started at 4: {rescaled.Average() / started.Average():0.00}; restored / started at 4: {restored.Average() / started.Average():0.00}");
            }
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>
    /// Records per second of the unpaced, unbounded job over <see cref="Measure"/>, once every key is in state: with
    /// 'count' at parallelism 2, at 4, started at 2 and rescaled live to 4, or restored at 4 from a savepoint taken at 2.
    /// </summary>
    private static async Task<double> MeasureThroughputAsync(BenchSilo silo, long keys, string order, Start start)
    {
        string run = $"throughput-{Guid.NewGuid():N}";
        var timeline = LatenessSink.Of(run);
        var fourCounts = new Dictionary<string, int> { ["count"] = 4 };
        var submission = JobSubmission.For<RescaleBenchJob>(2, new Dictionary<string, string> { ["run"] = run, ["keys"] = keys.ToString(), ["keys-order"] = order });
        var job = await silo.Jobs.SubmitAsync(start == Start.AtFour ? submission with { VertexParallelism = fourCounts } : submission);
        await WaitUntilAsync(() => timeline.Records >= 2 * keys, TimeSpan.FromMinutes(5));
        if (start == Start.AtTwoRescaledLiveToFour)
        {
            var rescale = await silo.Jobs.RescaleAsync(job.JobId, RescaleRequest.ForVertices(fourCounts), TimeSpan.FromMinutes(5));
            if (rescale is not { State: RescaleState.Completed, Mode: RescaleMode.Live })
            {
                throw new InvalidOperationException($"The rescale of the throughput run ended {rescale.State} ({rescale.Mode}): {rescale.Failure}");
            }
        }
        else if (start == Start.AtTwoRestoredAtFour)
        {
            // The same state at 4, built by a restore rather than by moving key groups: tells the move from the state apart.
            string savepoint = await silo.Jobs.StopWithSavepointAsync(job.JobId, TimeSpan.FromMinutes(5));
            job = await silo.Jobs.SubmitAsync(submission with { FromSavepoint = savepoint, VertexParallelism = fourCounts });
        }

        await Task.Delay(TimeSpan.FromSeconds(2));
        long before = timeline.Records;
        long readBefore = await ReadAsync(silo, job.JobId);
        var stopwatch = Stopwatch.StartNew();
        await Task.Delay(Measure);
        double seconds = stopwatch.Elapsed.TotalSeconds;
        double rate = (timeline.Records - before) / seconds;
        double readRate = (await ReadAsync(silo, job.JobId) - readBefore) / seconds;
        Console.WriteLine($"  ({start}: {rate:N0} counts/s at the sink, {readRate:N0} readings/s read by the source per the job's metrics)");
        await silo.Jobs.CancelAsync(job.JobId);
        return rate;
    }

    /// <summary>The records the job's source has read so far, per its metrics.</summary>
    private static async Task<long> ReadAsync(BenchSilo silo, string jobId)
        => (await silo.Jobs.GetStatusAsync(jobId)).Vertices[0].Operators[0].RecordsOut;

    private static string Row(string what, RescaleInfo? rescale, LatenessSink.Timeline timeline, long from, long to, TimeSpan? took = null)
    {
        // The bucket under way at the end may be empty only because it has not filled yet.
        var buckets = timeline.Between(from, to - LatenessSink.BucketMillis);
        var latencies = buckets.SelectMany(b => b.Latencies).Order().ToList();
        long disrupted = LateFor(buckets, from, 1_000);
        long late = LateFor(buckets, from, 100);
        string duration = rescale?.Duration is { } d ? $"{d.TotalMilliseconds:N0} ms" : took is { } t ? $"{t.TotalMilliseconds:N0} ms" : "";
        string pause = rescale is null ? (took is null ? "" : "the whole job") : $"{rescale.LongestPause.TotalMilliseconds:N0} ms";
        string moved = rescale is null ? "" : rescale.SplitsMoved > 0 ? $"{rescale.SplitsMoved} splits, {rescale.BytesMoved:N0} bytes" : $"{rescale.KeyGroupsMoved} key groups, {rescale.BytesMoved / 1e6:N1} MB";
        string p99 = latencies.Count == 0 ? "" : $"{latencies[(int)(latencies.Count * 0.99)]:N0} ms";
        string max = latencies.Count == 0 ? "" : $"{latencies[^1]:N0} ms";
        return $"| {what} | {duration} | {pause} | {moved} | {disrupted:N0} ms | {late:N0} ms | {p99} | {max} |";
    }

    /// <summary>How long counts came out more than <paramref name="threshold"/> ms late (a silent 100 ms counts too, once the event is under way).</summary>
    private static long LateFor(IReadOnlyList<(long Start, long Count, long MaxLateness, List<long> Latencies)> buckets, long from, long threshold)
        => buckets.Count(b => b.MaxLateness > threshold || (b.Count == 0 && b.Start > from + threshold)) * LatenessSink.BucketMillis;

    private static async Task WaitUntilAsync(Func<bool> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"The rescale benchmark waited {timeout.TotalMinutes:0} min.");
            }

            await Task.Delay(100);
        }
    }

    private static long Now() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

    private enum Start
    {
        AtTwo,
        AtFour,
        AtTwoRescaledLiveToFour,
        AtTwoRestoredAtFour,
    }
}
