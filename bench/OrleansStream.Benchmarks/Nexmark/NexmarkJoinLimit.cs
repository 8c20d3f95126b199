using System.Runtime.InteropServices;
using OrleansStream.Nexmark.Generator;
using OrleansStream.Nexmark.Model;

namespace OrleansStream.Benchmarks.Nexmark;

/// <summary>
/// The limits of the join queries q3, q4 and q8: each in one plain loop on one thread over the generated events
/// (in order), with plain dictionaries for state and, for q4 and q8, the engine's watermark (newest event time −
/// 5 s − 1 ms) deciding when an auction closes or a window fires. Same results as the engine's queries; each
/// folds them into a checksum so that nothing is optimized away.
/// </summary>
internal static class NexmarkJoinLimit
{
    private const long Bound = 5_000;

    /// <summary>q3: category-10 auctions joined with their sellers in OR, ID or CA as soon as both are known.</summary>
    public static long Q3(NexmarkGenerator generator, long events)
    {
        var sellers = new Dictionary<long, Person>();
        var waiting = new Dictionary<long, List<long>>();
        long checksum = 0;
        for (long i = 0; i < events; i++)
        {
            var e = generator.Generate(i);
            if (e.Kind == EventKind.Person)
            {
                var person = e.Person!;
                if (person.State is "OR" or "ID" or "CA")
                {
                    sellers[person.Id] = person;
                    if (waiting.Remove(person.Id, out var auctions))
                    {
                        foreach (long auction in auctions)
                        {
                            checksum += auction ^ person.Name.Length ^ person.City.Length;
                        }
                    }
                }
            }
            else if (e.Kind == EventKind.Auction && e.Auction!.Category == 10)
            {
                var auction = e.Auction;
                if (sellers.TryGetValue(auction.Seller, out var seller))
                {
                    checksum += auction.Id ^ seller.Name.Length ^ seller.City.Length;
                }
                else
                {
                    (CollectionsMarshal.GetValueRefOrAddDefault(waiting, auction.Seller, out _) ??= new List<long>(1)).Add(auction.Id);
                }
            }
        }

        return checksum;
    }

    /// <summary>q8: per 10 s tumbling window, the persons who registered and opened an auction in it.</summary>
    public static long Q8(NexmarkGenerator generator, long events)
    {
        const long Size = 10_000;
        var windows = new Dictionary<long, (Dictionary<long, string> Persons, HashSet<long> Sellers)>();
        var ends = new Queue<long>();
        long checksum = 0;
        long maxTime = long.MinValue;
        for (long i = 0; i < events; i++)
        {
            var e = generator.Generate(i);
            if (e.Kind != EventKind.Bid)
            {
                long time = e.DateTime;
                long end = time - Mod(time, Size) + Size;
                if (!windows.TryGetValue(end, out var window))
                {
                    windows.Add(end, window = (new Dictionary<long, string>(), new HashSet<long>()));
                    ends.Enqueue(end);
                }

                if (e.Kind == EventKind.Person)
                {
                    window.Persons[e.Person!.Id] = e.Person.Name;
                }
                else
                {
                    window.Sellers.Add(e.Auction!.Seller);
                }
            }

            maxTime = Math.Max(maxTime, e.DateTime);
            checksum += Fire(maxTime - Bound - 1);
        }

        return checksum + Fire(long.MaxValue);

        long Fire(long watermark)
        {
            long fired = 0;
            while (ends.Count > 0 && ends.Peek() - 1 <= watermark)
            {
                long end = ends.Dequeue();
                var (persons, sellers) = windows[end];
                foreach (var (id, name) in persons)
                {
                    if (sellers.Contains(id))
                    {
                        fired += id ^ name.Length ^ end;
                    }
                }

                windows.Remove(end);
            }

            return fired;
        }
    }

    /// <summary>
    /// q4: per auction the highest bid within its span, known when the watermark passes its expiry (a closed
    /// auction is kept 10 s longer to turn away later bids, as the engine's); per category the count and sum of
    /// winning prices, updated with every closed auction. Bids before their auction wait until the watermark
    /// passes their time.
    /// </summary>
    internal sealed class Q4Loop
    {
        private const long Retention = 10_000;
        private readonly Dictionary<long, OpenAuction> _auctions = new();
        private readonly PriorityQueue<OpenAuction, long> _expiries = new();
        private readonly Queue<OpenAuction> _closed = new();
        private readonly Dictionary<long, List<(long Price, long DateTime)>> _waiting = new();
        private readonly Queue<(long Time, long Auction)> _waitingTimes = new();
        private readonly Dictionary<long, (long Count, long Sum)> _categories = new();
        private long _checksum;

        public long Run(NexmarkGenerator generator, long events)
        {
            long maxTime = long.MinValue;
            for (long i = 0; i < events; i++)
            {
                var e = generator.Generate(i);
                if (e.Kind == EventKind.Bid)
                {
                    Add(e.Bid!);
                }
                else if (e.Kind == EventKind.Auction)
                {
                    Add(e.Auction!);
                }

                maxTime = Math.Max(maxTime, e.DateTime);
                Advance(maxTime - Bound - 1);
            }

            Advance(long.MaxValue);
            return _checksum;
        }

        private void Add(Auction auction)
        {
            var open = new OpenAuction(auction.Id, auction.Category, auction.DateTime, auction.Expires);
            _auctions.Add(auction.Id, open);
            _expiries.Enqueue(open, auction.Expires);
            if (_waiting.Remove(auction.Id, out var bids))
            {
                foreach (var (price, time) in bids)
                {
                    open.Offer(price, time);
                }
            }
        }

        private void Add(Bid bid)
        {
            if (_auctions.TryGetValue(bid.Auction, out var auction))
            {
                auction.Offer(bid.Price, bid.DateTime);
            }
            else
            {
                (CollectionsMarshal.GetValueRefOrAddDefault(_waiting, bid.Auction, out _) ??= new(1)).Add((bid.Price, bid.DateTime));
                _waitingTimes.Enqueue((bid.DateTime, bid.Auction));
            }
        }

        private void Advance(long watermark)
        {
            while (_expiries.TryPeek(out var auction, out long expires) && expires <= watermark)
            {
                _expiries.Dequeue();
                if (auction.HasMax)
                {
                    ref var totals = ref CollectionsMarshal.GetValueRefOrAddDefault(_categories, auction.Category, out _);
                    totals = (totals.Count + 1, totals.Sum + auction.Max);
                    _checksum += auction.Category ^ totals.Count ^ totals.Sum;
                }

                _closed.Enqueue(auction);
            }

            // Closed auctions leave in the order they closed, which is the order of their expiry plus the retention.
            while (_closed.Count > 0 && _closed.Peek().Expires + Retention <= watermark)
            {
                _auctions.Remove(_closed.Dequeue().Id);
            }

            while (_waitingTimes.Count > 0 && _waitingTimes.Peek().Time <= watermark)
            {
                var (time, id) = _waitingTimes.Dequeue();
                if (_waiting.TryGetValue(id, out var bids))
                {
                    bids.RemoveAll(b => b.DateTime <= time);
                    if (bids.Count == 0)
                    {
                        _waiting.Remove(id);
                    }
                }
            }
        }

        private sealed class OpenAuction(long id, long category, long dateTime, long expires)
        {
            public long Id { get; } = id;

            public long Category { get; } = category;

            public long Expires { get; } = expires;

            public long Max { get; private set; } = long.MinValue;

            public bool HasMax { get; private set; }

            public void Offer(long price, long time)
            {
                if (time >= dateTime && time <= Expires && price > Max)
                {
                    Max = price;
                    HasMax = true;
                }
            }
        }
    }

    private static long Mod(long value, long divisor) => ((value % divisor) + divisor) % divisor;
}
