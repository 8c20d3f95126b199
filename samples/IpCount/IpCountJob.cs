using OrleansStream.Api;
using OrleansStream.Connectors;
using OrleansStream.Time;
using OrleansStream.Windows;

namespace OrleansStream.Samples.IpCount;

/// <summary>Counts visits per client IP in tumbling event-time windows over web-server log lines.</summary>
public sealed class IpCountJob : IStreamJob
{
    public void Build(StreamBuilder builder)
    {
        var options = IpCountOptions.From(builder.Parameters);
        var parsed = builder.FromSource(options.CreateSource(), "log lines").Map(LogLine.Parse, "parse");

        parsed.Filter(line => line.Visit is null, "malformed").Map(line => line.Rejection!, "describe").SinkTo(options.CreateRejectSink(), IpCountOptions.RejectedSinkName);

        parsed.Filter(line => line.Visit is not null, "well-formed").Map(line => line.Visit!.Value, "visit")
            .AssignTimestampsAndWatermarks(WatermarkStrategy<Visit>.ForBoundedOutOfOrderness(options.OutOfOrderness).WithTimestampAssigner(v => v.Timestamp))
            .KeyBy(visit => visit.Ip)
            .Window(TumblingEventTimeWindows.Of(options.Window))
            .Count()
            .Map(count => $"{LogTime.Format(count.Window.Start)} {count.Key} {count.Value}", "format")
            .SinkTo(options.CreateOutputSink(), IpCountOptions.OutputSinkName);
    }
}
