using System.Diagnostics;
using OrleansStream.Benchmarks.Nexmark;
using OrleansStream.Contracts.Jobs;
using OrleansStream.Contracts.Rescaling;
using OrleansStream.Nexmark;

namespace OrleansStream.Benchmarks;

/// <summary>
/// Live rescaling against stop-with-savepoint and resubmit, on the same one-silo cluster in the same run: a keyed
/// rolling count over <c>keys</c> keys (every key in state) fed at a quarter of the rate it sustains, rescaled 2 -> 4 and
/// 4 -> 2 live (the count, then the source), then the count's two changes by stopping with a savepoint and submitting
/// again from it. For each: how
/// long it took, the longest pause of a moved key group, the state moved, and the disruption: the time during
/// which counts came out more than 1 s after their reading was due. Last, the throughput of the unpaced job after a
/// live rescale 2 -> 4 against the same job started at 4. Then the same for Nexmark q5 (hot items), whose state is
/// sliding windows: its window vertex rescaled live 2 -> 4 and 4 -> 2, and by a restart.
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

    /// <summary>q5 runs at half what it sustains, as the issue asks: its restart baseline does catch up at that rate.</summary>
    private const double Q5PacedShare = 0.5;

    private static readonly TimeSpan Checkpoints = TimeSpan.FromSeconds(5);

    /// <summary>The watermark interval of the Nexmark benchmark's latency runs (the default).</summary>
    private static readonly TimeSpan NexmarkWatermarkInterval = TimeSpan.FromMilliseconds(200);

    /// <summary>Seconds of events in the paced q5 run: more than its steady stretch, rescales and restarts take; it is cancelled after.</summary>
    private const long Q5RunSeconds = 300;

    /// <param name="keys">Keys in the rolling count's state.</param>
    /// <param name="slots">The silo's task slots.</param>
    /// <param name="q5Only">Only the q5 part.</param>
    public static async Task RunAsync(long keys, int slots, bool q5Only)
    {
        string directory = Directory.CreateTempSubdirectory("orleansstream-rescale-bench-").FullName;
        try
        {
            await using var silo = await BenchSilo.StartAsync(CheckpointStorage.Sqlite(Path.Combine(directory, "state.db")), slots);
            if (!q5Only)
            {
                await RunRollingCountAsync(silo, keys);
            }

            await RunQ5Async(silo);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static async Task RunRollingCountAsync(BenchSilo silo, long keys)
    {
        double sustained = await MeasureThroughputAsync(silo, keys, "sweep", Start.AtTwo);
        double rate = sustained * PacedShare;
        Console.WriteLine();
        Console.WriteLine($"Rescale: rolling count over {keys:N0} keys, sustained {sustained:N0} records/s at parallelism 2 (unpaced, over {Measure.TotalSeconds:0} s), run at {rate:N0} records/s");

        string run = $"rescale-{Guid.NewGuid():N}";
        long start = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() + 500;
        // Four splits for two readers, so that the source can hand two of them to new readers.
        var parameters = new Dictionary<string, string> { ["run"] = run, ["keys"] = keys.ToString(), ["rate"] = rate.ToString("R"), ["start"] = start.ToString(), ["splits"] = "4" };
        var timeline = LatenessSink.Of(run);

        // Every key in state before the steady stretch.
        var rows = await RescaleWhileRunningAsync(silo, JobSubmission.For<RescaleBenchJob>(2, parameters), timeline, () => timeline.Records >= keys,
            [("count", 4), ("count", 2), ("readings", 4), ("readings", 2)], restarted: "count", windowed: false);
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

    /// <summary>
    /// Nexmark q5 with its sliding windows in state, paced at <see cref="Q5PacedShare"/> of what it sustains unpaced: its
    /// first window vertex rescaled live 2 -> 4 and 4 -> 2, then by stop-with-savepoint and resubmit. A window's result is
    /// due once the event that lets the watermark pass the window's end has happened; results come in bursts every slide,
    /// so a quiet stretch is not late in itself here.
    /// </summary>
    private static async Task RunQ5Async(BenchSilo silo)
    {
        const string windows = "q5 bids per auction";
        const long unpacedEvents = 20_000_000;
        var stopwatch = Stopwatch.StartNew();
        var unpaced = await silo.Jobs.SubmitAsync(JobSubmission.For<NexmarkBenchJob>(2, NexmarkBenchJob.Parameters(NexmarkQuery.Q5, unpacedEvents, 2, Checkpoints, NexmarkWatermarkInterval)));
        var ended = await silo.Jobs.WaitForCompletionAsync(unpaced.JobId);
        if (ended.State != JobState.Finished)
        {
            throw new InvalidOperationException($"The unpaced q5 run ended {ended.State}: {ended.Failure}");
        }

        double sustained = unpacedEvents / stopwatch.Elapsed.TotalSeconds;
        double rate = sustained * Q5PacedShare;
        Console.WriteLine();
        Console.WriteLine($"Rescale: Nexmark q5, sustained {sustained:N0} events/s at parallelism 2 (unpaced, {unpacedEvents:N0} events, deployment included), run at {rate:N0} events/s");

        string run = $"rescale-q5-{Guid.NewGuid():N}";
        var timeline = LatenessSink.Of(run);
        long start = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() + 500;
        var parameters = NexmarkBenchJob.Parameters(NexmarkQuery.Q5, (long)(rate * Q5RunSeconds), 2, Checkpoints, NexmarkWatermarkInterval, rate, start);
        parameters["lateness-run"] = run;

        // Windows of a full size (10 s) and more have fired before the steady stretch.
        var rows = await RescaleWhileRunningAsync(silo, JobSubmission.For<NexmarkBenchJob>(2, parameters), timeline,
            () => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() > start + 20_000, [(windows, 4), (windows, 2)], restarted: windows, windowed: true);
        Console.WriteLine("| event | took | longest pause of a moved key group | state moved | disruption (results > 1 s late) | results > 100 ms late | p99 latency | max latency |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|");
        rows.ForEach(Console.WriteLine);
        Console.WriteLine($"(each row: from the command until {Settle.TotalSeconds:0} s after it was done; latency is a window result's lateness against the moment it could first fire; percentiles over every result)");
    }

    /// <summary>
    /// Runs <paramref name="submission"/> until <paramref name="ready"/>, then: a steady stretch; the live rescales
    /// <paramref name="live"/> one after the other; <paramref name="restarted"/> 2 -> 4 and 4 -> 2 by stopping with a
    /// savepoint and submitting again from it. A row per event, from the command until it settled.
    /// </summary>
    private static async Task<List<string>> RescaleWhileRunningAsync(
        BenchSilo silo, JobSubmission submission, LatenessSink.Timeline timeline, Func<bool> ready, IReadOnlyList<(string Vertex, int To)> live, string restarted, bool windowed)
    {
        var job = await silo.Jobs.SubmitAsync(submission);
        await WaitUntilAsync(ready, TimeSpan.FromMinutes(5));
        await Task.Delay(Settle);
        long steadyFrom = Now() - (long)Settle.TotalMilliseconds;
        var rows = new List<string> { Row("steady, before any rescale", null, timeline, steadyFrom, Now(), windowed) };

        foreach (var (vertex, to) in live)
        {
            long from = Now();
            var rescale = await silo.Jobs.RescaleAsync(job.JobId, RescaleRequest.ForVertices(new Dictionary<string, int> { [vertex] = to }), TimeSpan.FromMinutes(5));
            await Task.Delay(Settle);
            rows.Add(Row($"live, {vertex} {string.Join(", ", rescale.Vertices.Select(v => $"{v.From} -> {v.To}"))}", rescale, timeline, from, Now(), windowed));
        }

        foreach (int to in new[] { 4, 2 })
        {
            long from = Now();
            var stopwatch = Stopwatch.StartNew();
            string savepoint = await silo.Jobs.StopWithSavepointAsync(job.JobId, TimeSpan.FromMinutes(5));
            job = await silo.Jobs.SubmitAsync(submission with { FromSavepoint = savepoint, VertexParallelism = new() { [restarted] = to } });
            var took = stopwatch.Elapsed;
            await WaitUntilAsync(() => timeline.Between(Now() - 1_000, Now()).All(b => b.MaxLateness <= 1_000), TimeSpan.FromMinutes(5));
            await Task.Delay(Settle);
            rows.Add(Row($"stop with savepoint + resubmit {(to == 4 ? "2 -> 4" : "4 -> 2")}", null, timeline, from, Now(), windowed, took));
        }

        await silo.Jobs.CancelAsync(job.JobId);
        return rows;
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

    private static string Row(string what, RescaleInfo? rescale, LatenessSink.Timeline timeline, long from, long to, bool windowed, TimeSpan? took = null)
    {
        // The bucket under way at the end may be empty only because it has not filled yet.
        var buckets = timeline.Between(from, to - LatenessSink.BucketMillis);
        var latencies = buckets.SelectMany(b => b.Latencies).Order().ToList();
        long disrupted = LateFor(buckets, from, 1_000, silenceIsLate: !windowed);
        long late = LateFor(buckets, from, 100, silenceIsLate: !windowed);
        string duration = rescale?.Duration is { } d ? $"{d.TotalMilliseconds:N0} ms" : took is { } t ? $"{t.TotalMilliseconds:N0} ms" : "";
        string pause = rescale is null ? (took is null ? "" : "the whole job") : $"{rescale.LongestPause.TotalMilliseconds:N0} ms";
        string moved = rescale is null ? "" : rescale.SplitsMoved > 0 ? $"{rescale.SplitsMoved} splits, {rescale.BytesMoved:N0} bytes" : $"{rescale.KeyGroupsMoved} key groups, {rescale.BytesMoved / 1e6:N1} MB";
        string p99 = latencies.Count == 0 ? "" : $"{latencies[(int)(latencies.Count * 0.99)]:N0} ms of {latencies.Count:N0}";
        string max = latencies.Count == 0 ? "" : $"{latencies[^1]:N0} ms";
        return $"| {what} | {duration} | {pause} | {moved} | {disrupted:N0} ms | {late:N0} ms | {p99} | {max} |";
    }

    /// <summary>
    /// How long results came out more than <paramref name="threshold"/> ms late; with <paramref name="silenceIsLate"/> (a
    /// steady stream of results), a silent 100 ms counts too, once the event is under way.
    /// </summary>
    private static long LateFor(IReadOnlyList<(long Start, long Count, long MaxLateness, List<long> Latencies)> buckets, long from, long threshold, bool silenceIsLate)
        => buckets.Count(b => b.MaxLateness > threshold || (silenceIsLate && b.Count == 0 && b.Start > from + threshold)) * LatenessSink.BucketMillis;

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
