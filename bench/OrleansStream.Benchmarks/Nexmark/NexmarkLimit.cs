using OrleansStream.Nexmark;
using OrleansStream.Nexmark.Generator;
using OrleansStream.Nexmark.Model;

namespace OrleansStream.Benchmarks.Nexmark;

/// <summary>
/// The limit for each query: the same generated events and the same computation in one plain loop on one
/// thread, with no engine (events in order; the watermark is the newest event time minus the bound minus 1, as
/// the engine's bounded out-of-orderness watermark, and a window fires when it reaches the window's last millisecond). Each loop folds its results into a
/// checksum so that nothing is optimized away.
/// </summary>
internal static class NexmarkLimit
{
    private const long Bound = 5_000;

    public static Task<Measurement> RunAsync(NexmarkQuery query, long events)
        => MeasureWarmAsync("plain C# loop, 1 thread (limit)", events, () => Run(query, events));

    /// <summary>The benchmarks' events: seed and event-time rate of every run.</summary>
    public static NexmarkGenerator Generator() => new(NexmarkBenchJob.Config(NexmarkBenchJob.DefaultEventRate));

    /// <summary>
    /// Times one run of a single-threaded loop after a whole run that warms it up, as the engine is, so that
    /// tiered compilation has finished with the loop's code. The loop returns a checksum of its results.
    /// </summary>
    public static async Task<Measurement> MeasureWarmAsync(string name, long events, Func<long> loop)
    {
        loop();
        return await Measurement.TimeAsync(name, events, () =>
        {
            GC.KeepAlive(loop());
            return Task.CompletedTask;
        });
    }

    private static long Run(NexmarkQuery query, long events)
    {
        var generator = Generator();
        return query switch
        {
            NexmarkQuery.Q0 => Q0(generator, events),
            NexmarkQuery.Q1 => Q1(generator, events),
            NexmarkQuery.Q2 => Q2(generator, events),
            NexmarkQuery.Q3 => NexmarkJoinLimit.Q3(generator, events),
            NexmarkQuery.Q4 => new NexmarkJoinLimit.Q4Loop().Run(generator, events),
            NexmarkQuery.Q5 => new Q5Loop().Run(generator, events),
            NexmarkQuery.Q7 => new Q7Loop().Run(generator, events),
            NexmarkQuery.Q8 => NexmarkJoinLimit.Q8(generator, events),
            _ => throw new ArgumentOutOfRangeException(nameof(query), query, null),
        };
    }

    /// <summary>The generator alone, every event made and nothing done with it: what all the loops above spend before their query.</summary>
    public static Task<Measurement> RunGeneratorAsync(long events)
        => MeasureWarmAsync("generator alone, 1 thread (no query)", events, () => GeneratorOnly(events));

    private static long GeneratorOnly(long events)
    {
        var generator = Generator();
        long checksum = 0;
        for (long i = 0; i < events; i++)
        {
            checksum += generator.Generate(i).DateTime;
        }

        return checksum;
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
    internal sealed class Q5Loop : WindowLoop
    {
        private const long Size = 10_000, Slide = 2_000;
        private readonly Dictionary<long, Dictionary<long, long>> _windows = new();

        // Events come in time order, so windows open in the order of their ends: the oldest is first.
        private readonly Queue<long> _ends = new();
        private readonly List<Dictionary<long, long>> _current = new(5);
        private long _currentLastStart = long.MinValue;


        public override void Add(Bid bid)
        {
            // Bids come in time order, mostly many to the same set of windows: that set is looked up once per slide.
            long lastStart = bid.DateTime - Mod(bid.DateTime, Slide);
            if (lastStart != _currentLastStart)
            {
                OpenWindows(bid.DateTime, lastStart);
            }

            foreach (var counts in _current)
            {
                System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(counts, bid.Auction, out _)++;
            }
        }

        /// <summary>The windows of a bid at <paramref name="time"/>, oldest first: a window that does not exist yet ends after every window that does.</summary>
        private void OpenWindows(long time, long lastStart)
        {
            _current.Clear();
            long firstStart = lastStart;
            while (firstStart - Slide > time - Size)
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

                _current.Add(counts);
            }

            _currentLastStart = lastStart;
        }

        /// <summary>Fires every window whose last millisecond the watermark has reached.</summary>
        public override void Fire(long watermark)
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
                        Checksum += end ^ auction ^ count;
                    }
                }

                _windows.Remove(end);
            }
        }
    }

    /// <summary>The highest bids of each 10 s tumbling window.</summary>
    internal sealed class Q7Loop : WindowLoop
    {
        private const long Size = 10_000;
        private readonly Dictionary<long, Window> _windows = new();
        private readonly Queue<long> _ends = new();
        private Window? _current;


        public override void Add(Bid bid)
        {
            long end = bid.DateTime - Mod(bid.DateTime, Size) + Size;
            if (_current?.End != end && !_windows.TryGetValue(end, out _current))
            {
                _windows.Add(end, _current = new Window(end));
                _ends.Enqueue(end);
            }

            var window = _current!;
            if (bid.Price > window.Max)
            {
                window.Bids.Clear();
                window.Max = bid.Price;
            }

            if (bid.Price == window.Max)
            {
                window.Bids.Add(bid);
            }
        }

        public override void Fire(long watermark)
        {
            while (_ends.Count > 0 && _ends.Peek() - 1 <= watermark)
            {
                long end = _ends.Dequeue();
                foreach (var bid in _windows[end].Bids)
                {
                    Checksum += end ^ bid.Auction ^ bid.Price;
                }

                _windows.Remove(end);
                if (_current?.End == end)
                {
                    _current = null;
                }
            }
        }

        private sealed class Window(long end)
        {
            public long End { get; } = end;

            public long Max { get; set; } = long.MinValue;

            public List<Bid> Bids { get; } = new();
        }
    }

    /// <summary>Bids in time order into windows, fired as the engine's watermark (newest time − bound − 1 ms) passes them.</summary>
    internal abstract class WindowLoop
    {
        /// <summary>Folds the results in, so that nothing is optimized away.</summary>
        public long Checksum { get; protected set; }

        public long Run(NexmarkGenerator generator, long events)
        {
            long maxTime = long.MinValue;
            for (long i = 0; i < events; i++)
            {
                if (generator.Generate(i).Bid is { } bid)
                {
                    Add(bid);
                    maxTime = Math.Max(maxTime, bid.DateTime);
                    Fire(maxTime - Bound - 1);
                }
            }

            Fire(long.MaxValue);
            return Checksum;
        }

        public abstract void Add(Bid bid);

        /// <summary>Fires every window whose last millisecond the watermark has reached.</summary>
        public abstract void Fire(long watermark);
    }

    private static long Mod(long value, long divisor) => ((value % divisor) + divisor) % divisor;
}
