using System.Globalization;
using OrleansStream.Nexmark.Model;

namespace OrleansStream.Tests.Nexmark;

/// <summary>
/// The queries computed the obvious way, on one thread, from the list of events: what the engine's output
/// must equal. Written apart from the engine's query code on purpose (own window arithmetic, decimal
/// arithmetic for q1, own formatting), so a shared mistake is unlikely. Lines are sorted ordinally.
/// </summary>
internal static class NexmarkReference
{
    private const long Q5Size = 10_000;
    private const long Q5Slide = 2_000;
    private const long Q7Size = 10_000;
    private const long Q8Size = 10_000;

    public static List<string> Q0(IEnumerable<NexmarkEvent> events)
        => Sorted(Bids(events).Select(b => Invariant($"{b.Auction},{b.Bidder},{b.Price},{b.DateTime}")));

    public static List<string> Q1(IEnumerable<NexmarkEvent> events)
        => Sorted(Bids(events).Select(b => Invariant($"{b.Auction},{b.Bidder},{(b.Price * 0.908m).ToString("0.000", CultureInfo.InvariantCulture)},{b.DateTime}")));

    public static List<string> Q2(IEnumerable<NexmarkEvent> events)
        => Sorted(Bids(events).Where(b => b.Auction % 123 == 0).Select(b => Invariant($"{b.Auction},{b.Price}")));

    public static List<string> Q5(IEnumerable<NexmarkEvent> events)
    {
        // window start -> auction -> bids
        var counts = new Dictionary<long, Dictionary<long, long>>();
        foreach (var bid in Bids(events))
        {
            long newest = bid.DateTime - Mod(bid.DateTime, Q5Slide);
            for (long start = newest; start > bid.DateTime - Q5Size; start -= Q5Slide)
            {
                var perAuction = counts.TryGetValue(start, out var found) ? found : counts[start] = new();
                perAuction[bid.Auction] = perAuction.GetValueOrDefault(bid.Auction) + 1;
            }
        }

        var lines = new List<string>();
        foreach (var (start, perAuction) in counts)
        {
            long max = perAuction.Values.Max();
            lines.AddRange(perAuction.Where(p => p.Value == max).Select(p => Invariant($"{start},{start + Q5Size},{p.Key},{max}")));
        }

        return Sorted(lines);
    }

    public static List<string> Q7(IEnumerable<NexmarkEvent> events)
    {
        var lines = new List<string>();
        foreach (var window in Bids(events).GroupBy(b => b.DateTime - Mod(b.DateTime, Q7Size)))
        {
            long max = window.Max(b => b.Price);
            lines.AddRange(window.Where(b => b.Price == max)
                .Select(b => Invariant($"{window.Key},{window.Key + Q7Size},{b.Auction},{b.Bidder},{b.Price},{b.DateTime}")));
        }

        return Sorted(lines);
    }

    /// <summary>q3: the inner join of category-10 auctions with their sellers in OR, ID or CA, one line per pair.</summary>
    public static List<string> Q3(IEnumerable<NexmarkEvent> events)
    {
        var list = events.ToList();
        var persons = list.Where(e => e.Kind == EventKind.Person).Select(e => e.Person!).Where(p => p.State is "OR" or "ID" or "CA");
        var auctions = list.Where(e => e.Kind == EventKind.Auction).Select(e => e.Auction!).Where(a => a.Category == 10);
        return Sorted(from a in auctions
                      join p in persons on a.Seller equals p.Id
                      select Invariant($"{p.Name},{p.City},{p.State},{a.Id}"));
    }

    /// <summary>
    /// q4's final result, one line per category: <c>category,average,count,sum</c> of the winning prices, where an
    /// auction's winning price is its highest bid with <c>A.dateTime &lt;= B.dateTime &lt;= A.expires</c> and the
    /// average is SQL's AVG over BIGINT (truncated).
    /// </summary>
    public static List<string> Q4(IEnumerable<NexmarkEvent> events)
        => Sorted(Q4WinningPrices(events).GroupBy(w => w.Category).Select(c =>
        {
            long count = c.LongCount();
            long sum = c.Sum(w => w.Price);
            return Invariant($"{c.Key},{sum / count},{count},{sum}");
        }));

    /// <summary>q4's inner query: per auction with a bid in its span, its category and highest such bid.</summary>
    public static List<(long Category, long Price)> Q4WinningPrices(IEnumerable<NexmarkEvent> events)
    {
        var list = events.ToList();
        var auctions = list.Where(e => e.Kind == EventKind.Auction).Select(e => e.Auction!);
        var bids = list.Where(e => e.Kind == EventKind.Bid).Select(e => e.Bid!);
        return (from a in auctions
                join b in bids on a.Id equals b.Auction
                where b.DateTime >= a.DateTime && b.DateTime <= a.Expires
                group b.Price by (a.Id, a.Category) into g
                select (g.Key.Category, g.Max())).ToList();
    }

    /// <summary>q8: per 10 s tumbling window, the distinct (id, name) of persons registered in it joined with the distinct sellers of auctions opened in it.</summary>
    public static List<string> Q8(IEnumerable<NexmarkEvent> events)
    {
        var list = events.ToList();
        var persons = list.Where(e => e.Kind == EventKind.Person).Select(e => e.Person!)
            .Select(p => (p.Id, p.Name, Start: p.DateTime - Mod(p.DateTime, Q8Size))).Distinct();
        var sellers = list.Where(e => e.Kind == EventKind.Auction).Select(e => e.Auction!)
            .Select(a => (a.Seller, Start: a.DateTime - Mod(a.DateTime, Q8Size))).Distinct();
        return Sorted(from p in persons
                      join a in sellers on (p.Id, p.Start) equals (a.Seller, a.Start)
                      select Invariant($"{p.Id},{p.Name},{p.Start}"));
    }

    public static List<string> For(string query, IEnumerable<NexmarkEvent> events) => query switch
    {
        "q0" => Q0(events),
        "q1" => Q1(events),
        "q2" => Q2(events),
        "q3" => Q3(events),
        "q4" => Q4(events),
        "q5" => Q5(events),
        "q7" => Q7(events),
        "q8" => Q8(events),
        _ => throw new ArgumentException(query),
    };

    private static IEnumerable<Bid> Bids(IEnumerable<NexmarkEvent> events) => events.Where(e => e.Kind == EventKind.Bid).Select(e => e.Bid!);

    private static long Mod(long value, long divisor) => ((value % divisor) + divisor) % divisor;

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private static List<string> Sorted(IEnumerable<string> lines)
    {
        var list = lines.ToList();
        list.Sort(StringComparer.Ordinal);
        return list;
    }
}
