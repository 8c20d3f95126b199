using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using OrleansStream.Contracts.Jobs;
using OrleansStream.Nexmark;
using OrleansStream.Runtime.Hosting;

namespace OrleansStream.Benchmarks.Nexmark;

/// <summary>What the Nexmark runs vary.</summary>
internal sealed record NexmarkBenchmarkOptions(
    IReadOnlyList<NexmarkQuery> Queries,
    long Events,
    IReadOnlyList<int> Silos,
    int Parallelism,
    IReadOnlyList<TimeSpan?> Checkpoints,
    string ChannelTransport,
    TimeSpan LatencyDuration,
    double LatencyLoad,
    TimeSpan WatermarkInterval);

/// <summary>One engine run of a query: throughput, CPU, allocation, peak memory; latency at a fixed rate.</summary>
internal sealed record NexmarkRun(Measurement Throughput, long PeakWorkingSet, double? P50, double? P99, double? LatencyRate);

/// <summary>
/// Nexmark q0, q1, q2, q3, q4, q5, q7 and q8 on in-process clusters of one and two silos, each next to its limit (the
/// same computation in one plain loop over the same events) and, for q1 and q5, an in-process Rx pipeline.
/// Throughput runs go as fast as possible into a discarding sink; the latency run paces events by their own
/// event time at a fraction of the sustained rate.
/// </summary>
internal static class NexmarkBenchmark
{
    public static async Task RunAsync(NexmarkBenchmarkOptions options)
    {
        Console.WriteLine();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Nexmark ({options.Events:N0} events, parallelism {options.Parallelism}, channel transport {options.ChannelTransport}, watermarks every {options.WatermarkInterval.TotalMilliseconds:0} ms; latency at {options.LatencyLoad:P0} of the sustained rate)"));
        Console.WriteLine("| query | run | events/s | events per CPU-second | allocated B/event | peak working set | p50 latency | p99 latency | per CPU-second vs limit |");
        Console.WriteLine("|---|---|---:|---:|---:|---:|---:|---:|---:|");
        var generatorAlone = await NexmarkLimit.RunGeneratorAsync(options.Events);
        Print(NexmarkQuery.Q0, generatorAlone, generatorAlone, peak: null, latency: null, queryName: "(all)");
        foreach (var query in options.Queries)
        {
            var limit = await NexmarkLimit.RunAsync(query, options.Events);
            Print(query, limit, limit, peak: null, latency: null);
            if (query is NexmarkQuery.Q1 or NexmarkQuery.Q5)
            {
                Print(query, await NexmarkRxPeer.RunAsync(query, options.Events), limit, peak: null, latency: null);
            }

            foreach (int silos in options.Silos)
            {
                await using var cluster = await StartClusterAsync(silos, options);

                // A first, shorter run lets tiered compilation finish with the engine's code, as the loops have.
                await RunJobAsync(cluster, NexmarkBenchJob.Parameters(query, options.Events, options.Parallelism, null, options.WatermarkInterval));
                double? sustained = null;
                foreach (var interval in options.Checkpoints)
                {
                    JobStatus? final = null;
                    var (run, peak) = await MeasureAsync($"engine, {silos} silo{(silos == 1 ? "" : "s")}", options.Events,
                        async () => final = await RunJobAsync(cluster, NexmarkBenchJob.Parameters(query, options.Events, options.Parallelism, interval, options.WatermarkInterval)));

                    // The job's own start and end, not the status polling around them.
                    run = run with { Elapsed = final!.EndedAt!.Value - final.StartedAt!.Value };
                    if (interval is null)
                    {
                        sustained ??= run.RecordsPerSecond;
                    }

                    // A checkpointed job takes one at its start and a final one at its end; the rest are periodic.
                    var checkpoints = interval is { } i
                        ? string.Create(CultureInfo.InvariantCulture, $"checkpoints every {i.TotalSeconds:0.#} s ({Math.Max(0, final.Checkpoints.Completed - 2)} periodic)")
                        : "checkpoints off";
                    Print(query, run with { Name = $"{run.Name}, {checkpoints}" }, limit, peak, latency: null);
                }

                if (sustained is { } rate)
                {
                    var latency = await MeasureLatencyAsync(cluster, query, options, rate * options.LatencyLoad);
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"| {Name(query)} | engine, {silos} silo{(silos == 1 ? "" : "s")}, latency at {latency.Rate / 1e6:F2} M events/s ({latency.Samples:N0} results measured) | | | | | {Millis(latency.P50)} | {Millis(latency.P99)} | |"));
                }
            }
        }
    }

    private static async Task<LocalCluster> StartClusterAsync(int silos, NexmarkBenchmarkOptions options)
        => await LocalCluster.StartAsync(silos, silo =>
        {
            // Enough slots in every silo for the job alone; with two silos the subtasks spread over both.
            silo.UseTaskSlots((options.Parallelism + silos - 1) / silos);
            if (options.ChannelTransport == "memory")
            {
                silo.AddMemoryChannelStreams();
            }

            silo.Services.Configure<OrleansStreamOptions>(o => o.ChannelTransport = options.ChannelTransport);
        });

    private static async Task<(Measurement Run, long PeakWorkingSet)> MeasureAsync(string name, long events, Func<Task> run)
    {
        using var peak = new PeakWorkingSet();
        var measurement = await Measurement.TimeAsync(name, events, run);
        return (measurement, peak.Peak);
    }

    /// <summary>Events paced by their own time at <paramref name="rate"/>; p50 and p99 of the results' latency after the warm-up.</summary>
    private static async Task<(double Rate, long Samples, double? P50, double? P99)> MeasureLatencyAsync(LocalCluster cluster, NexmarkQuery query, NexmarkBenchmarkOptions options, double rate)
    {
        NexmarkLatency.Histogram.Reset();
        long eventRate = (long)rate;
        long events = (long)(eventRate * options.LatencyDuration.TotalSeconds);
        // Event 0 is due a second from now: deployment happens before the first event is.
        long start = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() + 1_000;
        long until = (NexmarkBenchJob.Config(eventRate) with { BaseTime = start }).TimestampOf(events - 1);
        await RunJobAsync(cluster, NexmarkBenchJob.Parameters(query, events, options.Parallelism, null, options.WatermarkInterval, eventRate, start, until));
        long samples = NexmarkLatency.Histogram.Count;
        return samples == 0
            ? (eventRate, 0, null, null)
            : (eventRate, samples, NexmarkLatency.Histogram.PercentileMillis(0.50), NexmarkLatency.Histogram.PercentileMillis(0.99));
    }

    private static async Task<JobStatus> RunJobAsync(LocalCluster cluster, Dictionary<string, string> parameters)
    {
        var status = await cluster.Jobs.SubmitAsync(JobSubmission.For<NexmarkBenchJob>(1, parameters));
        status = await cluster.Jobs.WaitForCompletionAsync(status.JobId);
        return status.State == JobState.Finished ? status : throw new InvalidOperationException($"Nexmark job {status.State}: {status.Failure}");
    }

    private static void Print(NexmarkQuery query, Measurement m, Measurement limit, long? peak, (double? P50, double? P99)? latency, string? queryName = null)
        => Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {queryName ?? Name(query)} | {m.Name} | {m.RecordsPerSecond / 1e6:F2} M | {m.RecordsPerCpuSecond / 1e6:F2} M | {m.BytesPerRecord:F0} | {(peak is { } p ? $"{p / (1 << 20):N0} MiB" : "")} | {Millis(latency?.P50)} | {Millis(latency?.P99)} | {m.RecordsPerCpuSecond / limit.RecordsPerCpuSecond:F2} |"));

    private static string Name(NexmarkQuery query) => query.ToString().ToLowerInvariant();

    private static string Millis(double? value) => value is { } v ? string.Create(CultureInfo.InvariantCulture, $"{v:F1} ms") : "";

    /// <summary>
    /// The process's peak resident set during a run: Linux's high-water mark (VmHWM), reset at the start by
    /// writing 5 to /proc/self/clear_refs, so it is this run's peak, not the process's.
    /// </summary>
    private sealed class PeakWorkingSet : IDisposable
    {
        public PeakWorkingSet() => File.WriteAllText("/proc/self/clear_refs", "5");

        public long Peak
        {
            get
            {
                var line = File.ReadLines("/proc/self/status").First(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
                return long.Parse(line["VmHWM:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
            }
        }

        public void Dispose()
        {
        }
    }
}
