using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using OrleansStream.Api;
using OrleansStream.Api.Connectors;
using OrleansStream.Connectors.Discard;
using OrleansStream.Connectors.Generator;
using OrleansStream.Contracts.Jobs;
using OrleansStream.Runtime.Hosting;

namespace OrleansStream.Benchmarks;

/// <summary>
/// One channel hop: a source subtask sends to a sink subtask in another slot sharing group, so the
/// records cross between two task grains (two silos when each silo has one slot). In latency mode
/// each record is the time it was emitted and the sink measures how long it travelled.
/// </summary>
public sealed class OneHopJob : IStreamJob
{
    public void Build(StreamBuilder builder)
    {
        long count = builder.Parameters.GetInt64("count", 1_000_000);
        double rate = builder.Parameters.GetDouble("rate", 0);
        bool latency = rate > 0;
        var generator = GeneratorSource.FromIndex<long>(latency ? _ => Stopwatch.GetTimestamp() : i => i, count);
        builder.FromSource(rate > 0 ? generator.WithRateLimit(rate) : generator, "emit")
            .Map(x => x, "hop").SlotSharingGroup("receiver")
            .SinkTo(latency ? (ISink<long>)new LatencySink() : new DiscardingSink<long>(), "receive");
    }
}

/// <summary>Records each record's travel time (now minus the emit time it carries) in a histogram.</summary>
internal sealed class LatencySink : ISink<long>
{
    public static readonly LatencyHistogram Histogram = new();

    public int? RequiredParallelism => null;

    public ISinkWriter<long> CreateWriter(SinkContext context) => new Writer();

    private sealed class Writer : ISinkWriter<long>
    {
        public void Write(long emittedAt, long timestamp) => Histogram.Record(Stopwatch.GetTimestamp() - emittedAt);

        public void Flush() { }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}

/// <summary>Latencies in 10 µs buckets up to 2 s; enough resolution for p50 and p99 of a channel.</summary>
internal sealed class LatencyHistogram
{
    private const double BucketMicros = 10;
    private readonly long[] _buckets = new long[200_000];
    private long _count;

    public void Record(long ticks)
    {
        double micros = ticks * 1_000_000.0 / Stopwatch.Frequency;
        int bucket = (int)Math.Min(_buckets.Length - 1, Math.Max(0, micros / BucketMicros));
        Interlocked.Increment(ref _buckets[bucket]);
        Interlocked.Increment(ref _count);
    }

    public long Count => Interlocked.Read(ref _count);

    public void Reset()
    {
        Array.Clear(_buckets);
        _count = 0;
    }

    public double PercentileMillis(double percentile)
    {
        long target = (long)Math.Ceiling(_count * percentile);
        long seen = 0;
        for (int i = 0; i < _buckets.Length; i++)
        {
            seen += _buckets[i];
            if (seen >= target)
            {
                return (i + 1) * BucketMicros / 1000;
            }
        }

        return double.NaN;
    }
}

internal static class ChannelBenchmark
{
    public static async Task<(Measurement Throughput, double P50, double P99)> RunAsync(string provider, int silos, long records, double latencyRate, TimeSpan latencyDuration)
    {
        // One slot per silo puts sender and receiver on different silos; two slots in one silo keep them together.
        await using var cluster = await LocalCluster.StartAsync(silos, silo =>
        {
            silo.UseTaskSlots(silos == 1 ? 2 : 1);
            if (provider == "memory")
            {
                silo.AddMemoryChannelStreams();
            }

            silo.Services.Configure<OrleansStreamOptions>(options => options.ChannelTransport = provider);
        });

        string where = silos == 1 ? "one silo" : "two silos";
        await RunJobAsync(cluster, Math.Min(records, 2_000_000), 0);
        var throughput = await Measurement.TimeAsync($"{provider}, {where}", records, () => RunJobAsync(cluster, records, 0));

        LatencySink.Histogram.Reset();
        long latencyRecords = (long)(latencyRate * latencyDuration.TotalSeconds);
        await RunJobAsync(cluster, latencyRecords, latencyRate);
        return (throughput, LatencySink.Histogram.PercentileMillis(0.50), LatencySink.Histogram.PercentileMillis(0.99));
    }

    private static async Task RunJobAsync(LocalCluster cluster, long records, double rate)
    {
        var parameters = new Dictionary<string, string>
        {
            ["count"] = records.ToString(CultureInfo.InvariantCulture),
            ["rate"] = rate.ToString(CultureInfo.InvariantCulture),
        };
        var status = await cluster.Jobs.SubmitAsync(JobSubmission.For<OneHopJob>(1, parameters));
        status = await cluster.Jobs.WaitForCompletionAsync(status.JobId);
        if (status.State != JobState.Finished)
        {
            throw new InvalidOperationException($"Channel benchmark job {status.State}: {status.Failure}");
        }
    }
}
