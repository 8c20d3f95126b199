using OrleansStream.Api;
using OrleansStream.Nexmark.Model;
using OrleansStream.Time;
using OrleansStream.Windows;

namespace OrleansStream.Nexmark.Queries;

/// <summary>
/// Nexmark's join queries q3, q4 and q8, as steps on a stream of events like <see cref="NexmarkQueries"/>: each
/// takes the raw events and returns the query's result stream. Filters and projections run at the parallelism
/// of the operator before them (so they chain to the source); the joins and aggregations at the job's.
/// </summary>
/// <remarks>
/// Only the members a query reads cross the network, as a SQL planner's projection would have it. q4 and q8
/// take event time from every event's <c>dateTime</c>, with watermarks <see cref="NexmarkQueries.MaxOutOfOrderness"/>
/// behind, as the other windowed queries. Stateful steps have uids (<c>q3-join</c>, <c>q4-winning-bids</c>,
/// <c>q4-category-averages</c>, <c>q8-new-users</c>).
/// </remarks>
public static class NexmarkJoinQueries
{
    /// <summary>q3 keeps auctions of this category.</summary>
    public const long Q3Category = 10;

    /// <summary>q3 keeps sellers from these states.</summary>
    public static readonly IReadOnlySet<string> Q3States = new HashSet<string>(["OR", "ID", "CA"], StringComparer.Ordinal);

    public static readonly TimeSpan Q8WindowSize = TimeSpan.FromSeconds(10);

    /// <summary>
    /// q3, local item suggestion: every (name, city, state) of a seller in OR, ID or CA with the id of each of
    /// their auctions in category 10, once per pair, as soon as both have arrived (an unbounded inner join).
    /// </summary>
    public static DataStream<LocalItem> Q3(DataStream<NexmarkEvent> events)
    {
        NexmarkCodecs.EnsureRegistered();
        var sellers = NexmarkQueries.AtInputParallelism(events, events.FlatMap<SellerAddress>(static (e, output) =>
        {
            if (e.Kind == EventKind.Person && Q3States.Contains(e.Person!.State))
            {
                var person = e.Person;
                output.Collect(new SellerAddress(person.Id, person.Name, person.City, person.State));
            }
        }, "q3 sellers in OR, ID, CA"));
        var auctions = NexmarkQueries.AtInputParallelism(events, events.FlatMap<AuctionSeller>(static (e, output) =>
        {
            if (e.Kind == EventKind.Auction && e.Auction!.Category == Q3Category)
            {
                output.Collect(new AuctionSeller(e.Auction.Id, e.Auction.Seller));
            }
        }, "q3 auctions in category 10"));
        return sellers.Connect(auctions)
            .KeyBy(static s => s.Id, static a => a.Seller)
            .Process(new LocalItemSuggestion(), "q3 local item suggestion")
            .Uid("q3-join");
    }

    /// <summary>
    /// q4, average price per category: per auction the highest bid placed between its opening and its expiry
    /// (its winning price), known when the watermark passes the expiry; then per category the count, sum and
    /// average of the winning prices, one update per closed auction. A category's last update is the SQL
    /// query's final row; auctions without such a bid count for nothing.
    /// </summary>
    public static DataStream<CategoryAverage> Q4(DataStream<NexmarkEvent> events)
    {
        NexmarkCodecs.EnsureRegistered();
        var timed = WithEventTime(events);
        var auctions = NexmarkQueries.AtInputParallelism(timed, timed.FlatMap<AuctionSpan>(static (e, output) =>
        {
            if (e.Kind == EventKind.Auction)
            {
                var auction = e.Auction!;
                output.Collect(new AuctionSpan(auction.Id, auction.Category, auction.DateTime, auction.Expires));
            }
        }, "q4 auctions"));
        var bids = NexmarkQueries.AtInputParallelism(timed, timed.FlatMap<BidPrice>(static (e, output) =>
        {
            if (e.Kind == EventKind.Bid)
            {
                output.Collect(new BidPrice(e.Bid!.Auction, e.Bid.Price, e.Bid.DateTime));
            }
        }, "q4 bids"));
        return auctions.Connect(bids)
            .KeyBy(static a => a.Id, static b => b.Auction)
            .Process(new WinningBid(), "q4 winning bids")
            .Uid("q4-winning-bids")
            .KeyBy(static w => w.Category)
            .Process(new CategoryAverages(), "q4 average per category")
            .Uid("q4-category-averages");
    }

    /// <summary>
    /// q8, monitor new users: per 10 s tumbling window, every person who registered in it and also opened an
    /// auction in it, once, with the window's start.
    /// </summary>
    public static DataStream<NewUser> Q8(DataStream<NexmarkEvent> events)
    {
        NexmarkCodecs.EnsureRegistered();
        var timed = WithEventTime(events);
        var persons = NexmarkQueries.AtInputParallelism(timed, timed.FlatMap<PersonName>(static (e, output) =>
        {
            if (e.Kind == EventKind.Person)
            {
                output.Collect(new PersonName(e.Person!.Id, e.Person.Name));
            }
        }, "q8 persons"));
        var sellers = NexmarkQueries.AtInputParallelism(timed, timed.FlatMap<long>(static (e, output) =>
        {
            if (e.Kind == EventKind.Auction)
            {
                output.Collect(e.Auction!.Seller);
            }
        }, "q8 sellers"));
        return persons.CoGroup(sellers)
            .Where(static p => p.Id).EqualTo(static seller => seller)
            .Window(TumblingEventTimeWindows.Of(Q8WindowSize))
            .Apply<NewUser>(static (id, window, registered, auctioned, output) =>
            {
                // The co-group runs for windows with either side; a result needs both. The SQL groups by
                // (id, name, window) before the join, so each distinct name of the id comes out once.
                if (registered.Count == 0 || auctioned.Count == 0)
                {
                    return;
                }

                foreach (string name in registered.Select(static p => p.Name).Distinct(StringComparer.Ordinal))
                {
                    output.Collect(new NewUser(id, name, window.Start));
                }
            }, "q8 new users")
            .Uid("q8-new-users");
    }

    /// <summary>Gives every event its <c>dateTime</c> as event time, with watermarks <see cref="NexmarkQueries.MaxOutOfOrderness"/> behind.</summary>
    public static DataStream<NexmarkEvent> WithEventTime(DataStream<NexmarkEvent> events)
    {
        var strategy = WatermarkStrategy<NexmarkEvent>.ForBoundedOutOfOrderness(NexmarkQueries.MaxOutOfOrderness).WithTimestampAssigner(static e => e.DateTime);
        return NexmarkQueries.AtInputParallelism(events, events.AssignTimestampsAndWatermarks(strategy, "event time")).WithCodec(NexmarkCodecs.Event);
    }
}
