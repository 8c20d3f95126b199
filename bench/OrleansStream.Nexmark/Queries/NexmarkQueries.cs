using OrleansStream.Api;
using OrleansStream.Functions;
using OrleansStream.Nexmark.Model;
using OrleansStream.Time;
using OrleansStream.Windows;

namespace OrleansStream.Nexmark.Queries;

/// <summary>
/// Nexmark's queries as steps on a stream of events, for <see cref="NexmarkJob"/> and for benchmark harnesses
/// that bring their own source and sink. Each takes the raw events (whatever their timestamps) and returns the
/// query's result stream. Per-record steps run at the parallelism of the operator before them (so they chain
/// to a source whose parallelism was set); keyed steps at the job's parallelism.
/// </summary>
/// <remarks>
/// Windowed queries take event time from the bid's <c>dateTime</c> with watermarks 5 s behind the newest
/// bid (bounded out-of-orderness); windows are aligned to the epoch. Stateful steps have uids
/// (<c>q5-group-counts</c>, <c>q5-top</c>, <c>q7-per-auction</c>, <c>q7-max</c>), so their state survives changes elsewhere.
/// </remarks>
public static class NexmarkQueries
{
    /// <summary>How far behind the newest bid's time the watermark stays.</summary>
    public static readonly TimeSpan MaxOutOfOrderness = TimeSpan.FromSeconds(5);

    public static readonly TimeSpan Q5WindowSize = TimeSpan.FromSeconds(10);

    public static readonly TimeSpan Q5WindowSlide = TimeSpan.FromSeconds(2);

    public static readonly TimeSpan Q7WindowSize = TimeSpan.FromSeconds(10);

    /// <summary>q5's first stage counts bids per auction within this many groups of auctions (at least the parallelism to spread over).</summary>
    public const long Q5PreAggregationGroups = 128;

    /// <summary>q7's first stage keeps the highest bids of this many groups of auctions per window (at least the parallelism to spread over).</summary>
    public const long Q7PreAggregationGroups = 128;

    /// <summary>q2 keeps bids on auctions whose id is a multiple of this.</summary>
    public const long Q2AuctionModulus = 123;

    /// <summary>q1's dollar to euro rate, in thousandths: price × 0.908 is exactly price × 908 thousandths.</summary>
    public const long Q1EuroRateThousandths = 908;

    /// <summary>The bids among the events.</summary>
    public static DataStream<Bid> Bids(DataStream<NexmarkEvent> events)
    {
        NexmarkCodecs.EnsureRegistered();
        return AtInputParallelism(events, events.FlatMap<Bid>(static (e, output) =>
        {
            if (e.Kind == EventKind.Bid)
            {
                output.Collect(e.Bid!);
            }
        }, "bids")).WithCodec(NexmarkCodecs.Bid);
    }

    /// <summary>Gives bids their <c>dateTime</c> as event time, with watermarks <see cref="MaxOutOfOrderness"/> behind.</summary>
    public static DataStream<Bid> WithEventTime(DataStream<Bid> bids)
    {
        var strategy = WatermarkStrategy<Bid>.ForBoundedOutOfOrderness(MaxOutOfOrderness).WithTimestampAssigner(static b => b.DateTime);
        return AtInputParallelism(bids, bids.AssignTimestampsAndWatermarks(strategy, "bid event time")).WithCodec(NexmarkCodecs.Bid);
    }

    /// <summary>q0, pass-through: every bid.</summary>
    public static DataStream<Bid> Q0(DataStream<NexmarkEvent> events) => Bids(events).Name("q0 bids");

    /// <summary>q1, currency conversion: every bid with its price × 0.908, exact.</summary>
    public static DataStream<EuroBid> Q1(DataStream<NexmarkEvent> events)
    {
        NexmarkCodecs.EnsureRegistered();
        return AtInputParallelism(events, events.FlatMap<EuroBid>(static (e, output) =>
        {
            if (e.Kind == EventKind.Bid)
            {
                var bid = e.Bid!;
                output.Collect(new EuroBid(bid.Auction, bid.Bidder, bid.Price * Q1EuroRateThousandths, bid.DateTime));
            }
        }, "q1 euro bids"));
    }

    /// <summary>q2, selection: auction and price of the bids on auctions whose id is a multiple of 123.</summary>
    public static DataStream<AuctionPrice> Q2(DataStream<NexmarkEvent> events)
    {
        NexmarkCodecs.EnsureRegistered();
        return AtInputParallelism(events, events.FlatMap<AuctionPrice>(static (e, output) =>
        {
            if (e.Kind == EventKind.Bid && e.Bid!.Auction % Q2AuctionModulus == 0)
            {
                output.Collect(new AuctionPrice(e.Bid.Auction, e.Bid.Price));
            }
        }, "q2 selected bids"));
    }

    /// <summary>
    /// q5, hot items: for every sliding window of 10 s every 2 s, the auctions with the most bids (all of
    /// them when several tie), with that count. Two stages: bids counted per auction and window, then the
    /// counts of each window gathered by its end and the highest kept.
    /// </summary>
    public static DataStream<AuctionCount> Q5(DataStream<NexmarkEvent> events)
    {
        // Only the auction and the time cross the network, as a SQL planner's projection would have it: a whole
        // bid carries three strings (channel, url, extra) that q5 never reads.
        NexmarkCodecs.EnsureRegistered();
        var bids = AtInputParallelism(events, events.FlatMap<AuctionTime>(static (e, output) =>
        {
            if (e.Kind == EventKind.Bid)
            {
                output.Collect(new AuctionTime(e.Bid!.Auction, e.Bid.DateTime));
            }
        }, "q5 bid auctions"));
        var strategy = WatermarkStrategy<AuctionTime>.ForBoundedOutOfOrderness(MaxOutOfOrderness).WithTimestampAssigner(static b => b.DateTime);
        // Local-global: the first stage counts bids per auction within groups of auctions and sends on only each
        // group's most-bid auctions. Keyed by auction alone it would send a count for every auction of the window
        // when the window fires, millions every two seconds at a few million events/s: a burst that is all latency.
        var counts = AtInputParallelism(bids, bids.AssignTimestampsAndWatermarks(strategy, "bid event time"))
            .KeyBy(static b => b.Auction % Q5PreAggregationGroups)
            .Window(SlidingEventTimeWindows.Of(Q5WindowSize, Q5WindowSlide))
            .Aggregate(GroupTopAuctionsAggregate.Instance, static (_, window, top) => (Window: window, Top: top), "q5 bids per auction")
            .Uid("q5-group-counts")
            .FlatMap<AuctionCount>(static (result, output) =>
            {
                foreach (long auction in result.Top.Auctions)
                {
                    output.Collect(new AuctionCount(result.Window.Start, result.Window.End, auction, result.Top.MaxCount));
                }
            }, "q5 group maxima");

        // A count is stamped with its window's last millisecond, which lies in the tumbling window of one
        // slide that ends where its window ends: so each tumbling window below sees exactly one sliding window's counts.
        long size = (long)Q5WindowSize.TotalMilliseconds;
        var top = counts
            .KeyBy(static c => c.WindowEnd)
            .Window(TumblingEventTimeWindows.Of(Q5WindowSlide))
            .Aggregate(TopAuctionsAggregate.Instance, static (end, _, top) => (End: end, Top: top), "q5 top auctions")
            .Uid("q5-top");
        return top.FlatMap<AuctionCount>((result, output) =>
        {
            foreach (long auction in result.Top.Auctions)
            {
                output.Collect(new AuctionCount(result.End - size, result.End, auction, result.Top.MaxCount));
            }
        }, "q5 hot items");
    }

    /// <summary>
    /// q7, highest bid: for every tumbling window of 10 s, every bid whose price is the window's highest.
    /// Two stages, as a local-global aggregation: the highest bids per group of auctions and window, then per window.
    /// The bids in the results carry auction, bidder, price and dateTime only (channel, url and extra are empty,
    /// as the CSV has no place for them); Flink's q7 is a join with a max per window and keeps extra.
    /// </summary>
    public static DataStream<HighestBid> Q7(DataStream<NexmarkEvent> events)
    {
        // The first stage only has to spread the work: grouped by auction it would keep (and emit, when the
        // window fires) a maximum for every auction of the window, hundreds of thousands at a million events/s;
        // grouped into Q7PreAggregationGroups buckets of auctions it keeps and emits a handful.
        // Only what q7 reports crosses the network: the bid without its channel, url and extra strings.
        NexmarkCodecs.EnsureRegistered();
        var bids = AtInputParallelism(events, events.FlatMap<Bid>(static (e, output) =>
        {
            if (e.Kind == EventKind.Bid)
            {
                var bid = e.Bid!;
                output.Collect(new Bid(bid.Auction, bid.Bidder, bid.Price, string.Empty, string.Empty, bid.DateTime, string.Empty));
            }
        }, "q7 bids")).WithCodec(NexmarkCodecs.Bid);
        var perAuction = WithEventTime(bids)
            .KeyBy(static b => b.Auction % Q7PreAggregationGroups)
            .Window(TumblingEventTimeWindows.Of(Q7WindowSize))
            .Aggregate(MaxBidsAggregate.Instance, static (_, window, max) => (Window: window, Max: max), "q7 highest per auction group")
            .Uid("q7-per-auction")
            .FlatMap<HighestBid>(static (result, output) => Emit(result.Window, result.Max, output), "q7 auction maxima")
            .WithCodec(NexmarkCodecs.HighestBid);

        // Results are stamped with their window's last millisecond, so the same tumbling windows regroup them.
        return perAuction
            .KeyBy(static h => h.WindowEnd)
            .Window(TumblingEventTimeWindows.Of(Q7WindowSize))
            .Aggregate(WindowMaxBidsAggregate.Instance, static (_, window, max) => (Window: window, Max: max), "q7 highest per window")
            .Uid("q7-max")
            .FlatMap<HighestBid>(static (result, output) => Emit(result.Window, result.Max, output), "q7 highest bids");
    }

    private static void Emit(TimeWindow window, MaxBids max, ICollector<HighestBid> output)
    {
        foreach (var bid in max.Bids)
        {
            output.Collect(new HighestBid(window.Start, window.End, bid));
        }
    }

    /// <summary>Keeps a per-record step at the parallelism of the operator it follows, so that it chains to it.</summary>
    internal static DataStream<TOut> AtInputParallelism<TIn, TOut>(DataStream<TIn> input, DataStream<TOut> step)
        => !input.Transformation.IsVirtual && input.Transformation.Parallelism is { } parallelism ? step.SetParallelism(parallelism) : step;
}
