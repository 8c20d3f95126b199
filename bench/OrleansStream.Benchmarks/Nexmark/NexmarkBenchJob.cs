using System.Globalization;
using OrleansStream.Api;
using OrleansStream.Api.Connectors;
using OrleansStream.Connectors.Discard;
using OrleansStream.Nexmark;
using OrleansStream.Nexmark.Generator;
using OrleansStream.Nexmark.Model;
using OrleansStream.Nexmark.Queries;
using OrleansStream.Time;

namespace OrleansStream.Benchmarks.Nexmark;

/// <summary>
/// One Nexmark query over generated events into a discarding sink, or, in latency mode, events paced by their
/// own event time into a sink that measures how long after its event time each result arrived.
/// Parameters: <c>query</c>, <c>events</c>, <c>parallelism</c>, <c>checkpoint-ms</c>; latency mode: <c>rate</c>
/// (events per second) and <c>start</c> (epoch ms of event 0, slightly in the future), and <c>lateness-run</c> to have
/// every result's lateness kept per 100 ms of wall-clock time (<see cref="LatenessSink"/>) rather than in one histogram.
/// </summary>
public sealed class NexmarkBenchJob : IStreamJob
{
    public const long Seed = 20261130;

    /// <summary>
    /// Events per second of event time in the throughput runs (and the loops): it decides how many events and
    /// auctions a window holds, so it is near the rates the latency runs pace at, where event time is wall time.
    /// </summary>
    public const long DefaultEventRate = 2_000_000;

    public static NexmarkConfig Config(long eventRate) => new() { Seed = Seed, EventsPerSecond = eventRate };

    public void Build(StreamBuilder builder)
    {
        var parameters = builder.Parameters;
        var query = Enum.Parse<NexmarkQuery>(parameters.GetRequired("query"), ignoreCase: true);
        long events = parameters.GetInt64("events", 1_000_000);
        double rate = parameters.GetDouble("rate", 0);
        int parallelism = (int)parameters.GetInt64("parallelism", 2);
        builder.DefaultParallelism = parallelism;
        if (parameters.GetInt64("watermark-ms", 0) is > 0 and var watermarkInterval)
        {
            builder.AutoWatermarkInterval = TimeSpan.FromMilliseconds(watermarkInterval);
        }

        if (parameters.GetInt64("checkpoint-ms", 0) is > 0 and var interval)
        {
            builder.EnableCheckpointing(TimeSpan.FromMilliseconds(interval));
        }

        bool latency = rate > 0;
        string latenessRun = parameters.Get("lateness-run", "");
        var config = Config(parameters.GetInt64("event-rate", DefaultEventRate));
        if (latency)
        {
            // Event i happens at start + i / rate: paced by its own time, its result's latency is measured from it.
            config = Config((long)rate) with { BaseTime = parameters.GetInt64("start", 0) };
        }

        var events_ = builder.FromSource(new NexmarkSource(config, events, pacedByEventTime: latency), "nexmark events")
            .SetParallelism(parallelism)
            .WithCodec(NexmarkCodecs.Event);
        if (latency && query is NexmarkQuery.Q0 or NexmarkQuery.Q1 or NexmarkQuery.Q2 or NexmarkQuery.Q3)
        {
            // Per-event results (q3's: the time of the later of the pair) carry their event's time to the latency sink
            // (the windowed queries and q4 assign it themselves).
            events_ = events_.AssignTimestampsAndWatermarks(
                WatermarkStrategy<NexmarkEvent>.ForBoundedOutOfOrderness(NexmarkQueries.MaxOutOfOrderness).WithTimestampAssigner(static e => e.DateTime), "event time")
                .SetParallelism(parallelism).WithCodec(NexmarkCodecs.Event);
        }

        // Measured: per-event results after the warm-up; windows that opened after it (a window open before the
        // first event holds less and fires sooner); not results due after the last event, which only the end
        // of input fires.
        long windowed = (long)(NexmarkLatency.WarmUp + NexmarkQueries.Q7WindowSize + NexmarkQueries.MaxOutOfOrderness).TotalMilliseconds;
        var measured = (
            From: parameters.GetInt64("start", 0) + (query is NexmarkQuery.Q4 or NexmarkQuery.Q5 or NexmarkQuery.Q7 or NexmarkQuery.Q8 ? windowed : (long)NexmarkLatency.WarmUp.TotalMilliseconds),
            Until: parameters.GetInt64("until", long.MaxValue));
        switch (query)
        {
            case NexmarkQuery.Q0:
                NexmarkQueries.Q0(events_).SinkTo(Sink<Bid>(latency, windowed: false, measured, latenessRun), "results");
                break;
            case NexmarkQuery.Q1:
                NexmarkQueries.Q1(events_).SinkTo(Sink<EuroBid>(latency, windowed: false, measured, latenessRun), "results");
                break;
            case NexmarkQuery.Q2:
                NexmarkQueries.Q2(events_).SinkTo(Sink<AuctionPrice>(latency, windowed: false, measured, latenessRun), "results");
                break;
            case NexmarkQuery.Q3:
                NexmarkJoinQueries.Q3(events_).SinkTo(Sink<LocalItem>(latency, windowed: false, measured, latenessRun), "results");
                break;
            case NexmarkQuery.Q4:
                // A winning price (and its category's update) is stamped with its auction's expiry, which, like a
                // window's end, the watermark must pass first.
                NexmarkJoinQueries.Q4(events_).SinkTo(Sink<CategoryAverage>(latency, windowed: true, measured, latenessRun), "results");
                break;
            case NexmarkQuery.Q5:
                NexmarkQueries.Q5(events_).SinkTo(Sink<AuctionCount>(latency, windowed: true, measured, latenessRun), "results");
                break;
            case NexmarkQuery.Q7:
                NexmarkQueries.Q7(events_).SinkTo(Sink<HighestBid>(latency, windowed: true, measured, latenessRun), "results");
                break;
            case NexmarkQuery.Q8:
                NexmarkJoinQueries.Q8(events_).SinkTo(Sink<NewUser>(latency, windowed: true, measured, latenessRun), "results");
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(builder), query, "Not a benchmarked query.");
        }
    }

    private static ISink<T> Sink<T>(bool latency, bool windowed, (long From, long Until) measured, string latenessRun)
    {
        long delay = NexmarkLatency.DueAfter(windowed);
        return !latency ? new DiscardingSink<T>()
            : latenessRun.Length > 0 ? new LatenessSink<T>(latenessRun, (_, timestamp) => timestamp + delay, sampling: windowed ? 1 : LatenessSink.LatencySampling)
            : new NexmarkLatencySink<T>(windowed, measured.From, measured.Until);
    }

    public static Dictionary<string, string> Parameters(NexmarkQuery query, long events, int parallelism, TimeSpan? checkpoints, TimeSpan watermarkInterval, double rate = 0, long start = 0, long until = long.MaxValue) => new()
    {
        ["event-rate"] = DefaultEventRate.ToString(CultureInfo.InvariantCulture),
        ["watermark-ms"] = ((long)watermarkInterval.TotalMilliseconds).ToString(CultureInfo.InvariantCulture),
        ["until"] = until.ToString(CultureInfo.InvariantCulture),
        ["query"] = query.ToString(),
        ["events"] = events.ToString(CultureInfo.InvariantCulture),
        ["parallelism"] = parallelism.ToString(CultureInfo.InvariantCulture),
        ["checkpoint-ms"] = ((long)(checkpoints?.TotalMilliseconds ?? 0)).ToString(CultureInfo.InvariantCulture),
        ["rate"] = rate.ToString(CultureInfo.InvariantCulture),
        ["start"] = start.ToString(CultureInfo.InvariantCulture),
    };
}

/// <summary>
/// Latency of results (every window result, one in 64 per-event results) from the moment they could first exist: for a per-event result the wall-clock time
/// of its event (events are paced by their time); for a window's result the moment its window could fire,
/// when an event 5 s (the out-of-orderness bound) past the window's end happened. Results of the first
/// <see cref="NexmarkLatency.WarmUp"/> of event time are not counted (deployment, cold code), nor windows that
/// only the end of input fires.
/// </summary>
internal sealed class NexmarkLatencySink<T>(bool windowed, long measureFrom, long measureUntil) : ISink<T>
{
    public int? RequiredParallelism => null;

    public ISinkWriter<T> CreateWriter(SinkContext context) => new Writer(NexmarkLatency.DueAfter(windowed), measureFrom, measureUntil);

    private sealed class Writer(long delay, long measureFrom, long measureUntil) : ISinkWriter<T>
    {
        // Per-event queries have millions of results a second: measuring each (a clock read and two interlocked
        // increments on a shared histogram) would load the sink more than the query. One in 64 is measured.
        private readonly int _sampleMask = delay == 0 ? 63 : 0;
        private int _seen;

        public void Write(T value, long timestamp)
        {
            long due = timestamp + delay;
            if ((_seen++ & _sampleMask) == 0 && due >= measureFrom && due <= measureUntil)
            {
                // In ticks (100 ns), not truncated milliseconds: a millisecond is most of a per-event result's latency.
                long nowTicks = DateTime.UtcNow.Ticks - DateTime.UnixEpoch.Ticks;
                NexmarkLatency.Histogram.Record((long)((nowTicks - due * TimeSpan.TicksPerMillisecond) * (System.Diagnostics.Stopwatch.Frequency / (double)TimeSpan.TicksPerSecond)));
            }
        }

        public void Flush() { }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}

internal static class NexmarkLatency
{
    public static readonly TimeSpan WarmUp = TimeSpan.FromSeconds(2);

    public static readonly LatencyHistogram Histogram = new();

    /// <summary>
    /// How long after its timestamp a result is due: a per-event result at once; a window's result (stamped with the
    /// window's last millisecond) once an event past the end by the out-of-orderness bound happened, which lets the watermark pass it.
    /// </summary>
    public static long DueAfter(bool windowed) => windowed ? (long)NexmarkQueries.MaxOutOfOrderness.TotalMilliseconds + 1 : 0;
}
