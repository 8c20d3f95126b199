using OrleansStream.Api;
using OrleansStream.Connectors.Files;
using OrleansStream.Connectors.Generator;
using OrleansStream.Tests.Fixtures;
using OrleansStream.Time;
using OrleansStream.Windows;

namespace OrleansStream.Tests.Functions;

/// <summary>
/// Clicks joined with impressions of the same user two ways: an interval join (an impression up to 30 ms
/// before the click, "I,click,impression") and a window join per 500 ms tumbling window ("W,click,impression").
/// Both outputs go, unioned, to the two-phase-commit file sink, or (parameter "sinks" = "per-join") each to a file
/// sink of its own in the same directory. A <see cref="SourceGate"/> (parameter "gate") holds both sources for the test.
/// </summary>
public sealed class JoinsJob : IStreamJob
{
    public const int Users = 50;
    public const long WindowMillis = 500;
    public const long IntervalLowerMillis = -30;

    public void Build(StreamBuilder builder)
    {
        var parameters = builder.Parameters;
        long clicks = parameters.GetInt64("count", 0);
        long impressions = clicks * 7 / 10;
        builder.EnableCheckpointing(TimeSpan.FromMilliseconds(200));
        builder.RestartStrategy = RestartStrategy.FixedDelay(5, TimeSpan.FromMilliseconds(200));
        long rate = parameters.GetInt64("rate", 1_500);
        string? gate = parameters.Get(SourceGate.Parameter);

        var clickStream = builder.FromSource(
            GeneratorSource.FromIndex(i => ClickOf(i), clicks).WithRateLimit(rate).GatedBy(gate),
            WatermarkStrategy<Event>.ForBoundedOutOfOrderness(TimeSpan.FromMilliseconds(20)).WithTimestampAssigner(e => e.Ts),
            "clicks");
        var impressionStream = builder.FromSource(
            GeneratorSource.FromIndex(i => ImpressionOf(i), impressions).WithRateLimit(rate * 7 / 10).GatedBy(gate),
            WatermarkStrategy<Event>.ForBoundedOutOfOrderness(TimeSpan.FromMilliseconds(20)).WithTimestampAssigner(e => e.Ts),
            "impressions");

        var intervalJoined = clickStream.KeyBy(c => c.User)
            .IntervalJoin(impressionStream.KeyBy(i => i.User))
            .Between(TimeSpan.FromMilliseconds(IntervalLowerMillis), TimeSpan.Zero)
            .Process((click, impression) => $"I,{click.Id},{impression.Id}", "interval join").Uid("interval-join");
        var windowJoined = clickStream
            .Join(impressionStream)
            .Where(c => c.User).EqualTo(i => i.User)
            .Window(TumblingEventTimeWindows.Of(TimeSpan.FromMilliseconds(WindowMillis)))
            .Apply((click, impression) => $"W,{click.Id},{impression.Id}", "window join").Uid("window-join");

        string output = parameters.GetRequired("output");
        if (parameters.Get("sinks") == "per-join")
        {
            // Each join with a sink of its own, chained to it: the joins are then vertices that can be rescaled live.
            intervalJoined.SinkTo(FileSink.ForRowFormat<string>(output, line => line).WithPartPrefix("interval"), "committed interval pairs").Uid("committed-interval-pairs");
            windowJoined.SinkTo(FileSink.ForRowFormat<string>(output, line => line).WithPartPrefix("window"), "committed window pairs").Uid("committed-window-pairs");
            return;
        }

        intervalJoined.Union(windowJoined)
            .SinkTo(FileSink.ForRowFormat<string>(output, line => line), "committed pairs")
            .Uid("committed-pairs");
    }

    public static Event ClickOf(long i) => new(i, (int)(i % Users), i * 5);

    public static Event ImpressionOf(long i) => new(i, (int)(i * 3 % Users), i * 7);

    /// <summary>The committed lines of a failure-free run, computed without the engine.</summary>
    public static List<string> Expected(long clicks)
    {
        var clicksByUser = Enumerable.Range(0, (int)clicks).Select(i => ClickOf(i)).ToLookup(c => c.User);
        var impressionsByUser = Enumerable.Range(0, (int)(clicks * 7 / 10)).Select(i => ImpressionOf(i)).ToLookup(i => i.User);
        var lines = new List<string>();
        foreach (var user in clicksByUser)
        {
            foreach (var click in user)
            {
                foreach (var impression in impressionsByUser[user.Key])
                {
                    if (impression.Ts >= click.Ts + IntervalLowerMillis && impression.Ts <= click.Ts)
                    {
                        lines.Add($"I,{click.Id},{impression.Id}");
                    }

                    if (click.Ts / WindowMillis == impression.Ts / WindowMillis)
                    {
                        lines.Add($"W,{click.Id},{impression.Id}");
                    }
                }
            }
        }

        lines.Sort(StringComparer.Ordinal);
        return lines;
    }

    public sealed record Event(long Id, int User, long Ts);
}
