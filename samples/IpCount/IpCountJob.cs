using OrleansStream.Api;
using OrleansStream.Connectors.Files;
using OrleansStream.Windows;

namespace OrleansStream.Samples.IpCount;

/// <summary>
/// Counts visits per client IP in tumbling event-time windows over web-server log lines. In exactly-once
/// mode it checkpoints, keeps each window for the allowed lateness (a late line within it updates the
/// window, which is emitted again with the new count), sends lines later than that to a late side
/// output, and commits counts, late lines and rejected lines through transactional file sinks.
/// </summary>
public sealed class IpCountJob : IStreamJob
{
    public void Build(StreamBuilder builder) => Build(builder, IpCountOptions.From(builder.Parameters));

    /// <summary>
    /// Builds the job; <paramref name="onLines"/> may add a step right after the source (tests add a
    /// fault there). What it returns runs at the source's parallelism.
    /// </summary>
    public static void Build(StreamBuilder builder, IpCountOptions options, Func<DataStream<TextLine>, DataStream<TextLine>>? onLines = null)
    {
        if (options.ExactlyOnce)
        {
            builder.EnableCheckpointing(options.CheckpointInterval);
        }

        // Up to the watermarks everything runs at the source's parallelism, chained to it.
        DataStream<T> AtSource<T>(DataStream<T> stream) => options.SourceParallelism is { } p ? stream.SetParallelism(p) : stream;

        var lines = AtSource(builder.FromSource(options.CreateSource(), IpCountOptions.SourceName).Uid("log-lines"));
        if (onLines is not null)
        {
            lines = AtSource(onLines(lines));
        }

        var parsed = AtSource(lines.Map(LogLine.Parse, "parse"));
        parsed.Filter(line => line.Visit is null, "malformed").Map(line => line.Rejection!, "describe")
            .SinkTo(options.CreateRejectSink(), IpCountOptions.RejectedSinkName).Uid("rejected-lines");

        var wellFormed = AtSource(parsed.Filter(line => line.Visit is not null, "well-formed"));
        var visits = AtSource(AtSource(wellFormed.Map(line => line.Visit!.Value, "visit")).AssignTimestampsAndWatermarks(options.Watermarks()).Uid("timestamps"));
        var windows = visits.KeyBy(visit => visit.Ip).Window(TumblingEventTimeWindows.Of(options.Window));
        if (options.ExactlyOnce)
        {
            windows = windows.AllowedLateness(options.AllowedLateness).SideOutputLateData(IpCountOptions.LateVisits);
        }

        var counts = windows.Count().Uid("window-counts");
        counts.Map(count => $"{LogTime.Format(count.Window.Start)} {count.Key} {count.Value}", "format")
            .SinkTo(options.CreateOutputSink(), IpCountOptions.OutputSinkName).Uid("window-counts-out");
        if (options.ExactlyOnce)
        {
            counts.GetSideOutput(IpCountOptions.LateVisits).SinkTo(options.CreateLateSink(), IpCountOptions.LateSinkName).Uid("late-visits-out");
        }
    }
}
