using OrleansStream.Nexmark;
using OrleansStream.Nexmark.Generator;
using OrleansStream.Nexmark.Model;

namespace OrleansStream.Benchmarks.Nexmark;

/// <summary>
/// The limit for each query: the same generated events and the same computation in one plain loop on one
/// thread, with no engine (events in order, so a window fires as soon as an event passes its end plus the
/// out-of-orderness bound, as the engine's watermark would let it). Each loop folds its results into a
/// checksum so that nothing is optimized away.
/// </summary>
internal static class NexmarkLimit
{
    private const long Bound = 5_000;

    public static async Task<Measurement> RunAsync(NexmarkQuery query, long events)
    {
        // Warmed up as the engine is, so that tiered compilation has finished with the loop's code.
        Run(query, Math.Min(events, 1_000_000));
        return await Measurement.TimeAsync("plain C# loop, 1 thread (limit)", events, () =>
        {
            GC.KeepAlive(Run(query, events));
            return Task.CompletedTask;
        });
    }

    private static long Run(NexmarkQuery query, long events)
    {
        var generator = new NexmarkGenerator(new NexmarkConfig { Seed = NexmarkBenchJob.Seed });
        return query switch
        {
            NexmarkQuery.Q0 => Q0(generator, events),
            NexmarkQuery.Q1 => Q1(generator, events),
            NexmarkQuery.Q2 => Q2(generator, events),
            NexmarkQuery.Q5 => new Q5Loop().Run(generator, events),
            NexmarkQuery.Q7 => new Q7Loop().Run(generator, events),
            _ => throw new ArgumentOutOfRangeException(nameof(query), query, null),
        };
    }

    private static long Q0(NexmarkGenerator generator, long events)
    {
        long checksum = 0;
        for (long i = 0; i < events; i++)
        {
            if (generator.Generate(i).Bid is { } bid)
            {
                checksum += bid.Auction ^ bid.Price;
            }
        }

        return checksum;
    }

    private static long Q1(NexmarkGenerator generator, long events)
    {
        long checksum = 0;
        for (long i = 0; i < events; i++)
        {
            if (generator.Generate(i).Bid is { } bid)
            {
                checksum += bid.Price * 908;
            }
        }

        return checksum;
    }

    private static long Q2(NexmarkGenerator generator, long events)
    {
        long checksum = 0;
        for (long i = 0; i < events; i++)
        {
            if (generator.Generate(i).Bid is { Auction: var auction } bid && auction % 123 == 0)
            {
                checksum += auction ^ bid.Price;
            }
        }

        return checksum;
    }

    /// <summary>Bids per auction in sliding windows of 10 s every 2 s; per window the auctions with the most.</summary>
    internal sealed class Q5Loop
    {
        private const long Size = 10_000, Slide = 2_000;
        private readonly Dictionary<long, Dictionary<long, long>> _windows = new();

        // Events come in time order, so windows open in the order of their ends: the oldest is first.
        private readonly Queue<long> _ends = new();
        private long _checksum;

        public long Run(NexmarkGenerator generator, long events)
        {
            long maxTime = long.MinValue;
            for (long i = 0; i < events; i++)
            {
                if (generator.Generate(i).Bid is { } bid)
                {
                    Add(bid);
                    maxTime = Math.Max(maxTime, bid.DateTime);
                    Fire(maxTime - Bound);
                }
            }

            Fire(long.MaxValue);
            return _checksum;
        }

        public long Checksum => _checksum;

        public void Add(Bid bid)
        {
            // Oldest window first: a window that does not exist yet ends after every window that does.
            long lastStart = bid.DateTime - Mod(bid.DateTime, Slide);
            long firstStart = lastStart;
            while (firstStart - Slide > bid.DateTime - Size)
            {
                firstStart -= Slide;
            }

            for (long start = firstStart; start <= lastStart; start += Slide)
            {
                if (!_windows.TryGetValue(start + Size, out var counts))
                {
                    _windows.Add(start + Size, counts = new Dictionary<long, long>());
                    _ends.Enqueue(start + Size);
                }

                counts[bid.Auction] = counts.GetValueOrDefault(bid.Auction) + 1;
            }
        }

        /// <summary>Fires every window whose last millisecond the watermark has reached.</summary>
        public void Fire(long watermark)
        {
            while (_ends.Count > 0 && _ends.Peek() - 1 <= watermark)
            {
                long end = _ends.Dequeue();
                var counts = _windows[end];
                long max = 0;
                foreach (long count in counts.Values)
                {
                    max = Math.Max(max, count);
                }

                foreach (var (auction, count) in counts)
                {
                    if (count == max)
                    {
                        _checksum += end ^ auction ^ count;
                    }
                }

                _windows.Remove(end);
            }
        }
    }

    /// <summary>The highest bids of each 10 s tumbling window.</summary>
    internal sealed class Q7Loop
    {
        private const long Size = 10_000;
        private readonly Dictionary<long, (long Max, List<Bid> Bids)> _windows = new();
        private readonly Queue<long> _ends = new();
        private long _checksum;

        public long Run(NexmarkGenerator generator, long events)
        {
            long maxTime = long.MinValue;
            for (long i = 0; i < events; i++)
            {
                if (generator.Generate(i).Bid is { } bid)
                {
                    Add(bid);
                    maxTime = Math.Max(maxTime, bid.DateTime);
                    Fire(maxTime - Bound);
                }
            }

            Fire(long.MaxValue);
            return _checksum;
        }

        public void Add(Bid bid)
        {
            long end = bid.DateTime - Mod(bid.DateTime, Size) + Size;
            if (!_windows.TryGetValue(end, out var window))
            {
                window = (long.MinValue, new List<Bid>());
                _ends.Enqueue(end);
            }

            if (bid.Price > window.Max)
            {
                window.Bids.Clear();
                window.Max = bid.Price;
            }

            if (bid.Price == window.Max)
            {
                window.Bids.Add(bid);
            }

            _windows[end] = window;
        }

        public void Fire(long watermark)
        {
            while (_ends.Count > 0 && _ends.Peek() - 1 <= watermark)
            {
                long end = _ends.Dequeue();
                var window = _windows[end];
                foreach (var bid in window.Bids)
                {
                    _checksum += end ^ bid.Auction ^ bid.Price;
                }

                _windows.Remove(end);
            }
        }
    }

    private static long Mod(long value, long divisor) => ((value % divisor) + divisor) % divisor;
}
