using OrleansStream.Api;
using OrleansStream.Connectors.Discard;
using OrleansStream.Connectors.Generator;
using OrleansStream.Contracts.Jobs;
using OrleansStream.Runtime.Hosting;
using OrleansStream.Samples.IpCount;
using OrleansStream.Time;
using OrleansStream.Windows;

namespace OrleansStream.Benchmarks;

/// <summary>generator → parse → keyBy(ip) → 5 s event-time window count → discarding sink; checkpointed when <c>checkpoint-ms</c> is set.</summary>
public sealed class IpCountPipelineJob : IStreamJob
{
    public void Build(StreamBuilder builder)
    {
        if (builder.Parameters.GetInt64("checkpoint-ms", 0) is > 0 and var interval)
        {
            builder.EnableCheckpointing(TimeSpan.FromMilliseconds(interval));
        }

        builder.FromSource(GeneratorSource.FromIndex(BenchLines.Line, builder.Parameters.GetInt64("count", 1_000_000)), "generator")
            .Map(LogLine.Parse, "parse")
            .Filter(line => line.Visit is not null, "well-formed")
            .Map(line => line.Visit!.Value, "visit")
            .AssignTimestampsAndWatermarks(WatermarkStrategy<Visit>.ForBoundedOutOfOrderness(TimeSpan.FromSeconds(5)).WithTimestampAssigner(v => v.Timestamp))
            .KeyBy(v => v.Ip)
            .Window(TumblingEventTimeWindows.Of(TimeSpan.FromSeconds(5)))
            .Count()
            .SinkTo(new DiscardingSink<WindowResult<string, long>>(), "discard");
    }
}

internal static class PipelineBenchmark
{
    public static async Task<Measurement> RunEngineAsync(long records, int parallelism)
    {
        await using var cluster = await LocalCluster.StartAsync(1, silo => silo.UseTaskSlots(parallelism));

        // A first, shorter run lets tiered compilation finish with the engine's code, as the limit's loop has.
        await RunJobAsync(cluster, Math.Min(records, 2_000_000), parallelism);
        return await Measurement.TimeAsync($"engine, 1 silo, parallelism {parallelism}", records, () => RunJobAsync(cluster, records, parallelism));
    }

    private static async Task RunJobAsync(LocalCluster cluster, long records, int parallelism)
    {
        var submission = JobSubmission.For<IpCountPipelineJob>(parallelism, new Dictionary<string, string> { ["count"] = records.ToString() });
        var status = await cluster.Jobs.SubmitAsync(submission);
        status = await cluster.Jobs.WaitForCompletionAsync(status.JobId);
        if (status.State != JobState.Finished)
        {
            throw new InvalidOperationException($"Benchmark job {status.State}: {status.Failure}");
        }
    }

    /// <summary>The same parse and count in one thread with a dictionary: the limit for this computation.</summary>
    public static Task<Measurement> RunLimitAsync(long records)
        => Measurement.TimeAsync("plain single-threaded loop (limit)", records, () =>
        {
            const long window = 5_000;
            var counts = new Dictionary<string, long>();
            long currentWindow = long.MinValue;
            long windows = 0;
            for (long i = 0; i < records; i++)
            {
                var visit = LogLine.Parse(BenchLines.Line(i)).Visit;
                if (visit is not { } v)
                {
                    continue;
                }

                long start = v.Timestamp - v.Timestamp % window;
                if (start != currentWindow)
                {
                    windows += counts.Count;
                    counts.Clear();
                    currentWindow = start;
                }

                counts[v.Ip] = counts.GetValueOrDefault(v.Ip) + 1;
            }

            GC.KeepAlive(windows + counts.Count);
            return Task.CompletedTask;
        });
}
