using OrleansStream.Functions;
using OrleansStream.Operators;
using OrleansStream.State;
using OrleansStream.Time;
using OrleansStream.Windows;

namespace OrleansStream.Tests.Functions;

public class JoinTests
{
    private sealed class PairJoin : ProcessJoinFunction<(int Key, long Ts), (int Key, long Ts), string>
    {
        public override void ProcessElement((int Key, long Ts) left, (int Key, long Ts) right, ProcessJoinContext context, ICollector<string> output)
        {
            Assert.Equal(Math.Max(left.Ts, right.Ts), context.Timestamp);
            output.Collect($"{left.Key}:{left.Ts}-{right.Ts}");
        }
    }

    private static OperatorHarness<string> IntervalJoin(long lower, long upper, IReadOnlyList<KeyedStateChunk>? restore = null)
        => OperatorHarness<string>.TwoInput(new IntervalJoinOperator<int, (int Key, long Ts), (int Key, long Ts), string>(
            "interval join", l => l.Key, r => r.Key, lower, upper, new PairJoin()), restore: restore);

    /// <summary>Elements of both sides, shuffled within a bounded disorder, with watermarks that never make one of them late.</summary>
    private static List<(bool Left, int Key, long Ts, long? WatermarkAfter)> Input(int seed, int count, int keys)
    {
        var random = new Random(seed);
        var elements = Enumerable.Range(0, count)
            .Select(i => (Left: random.Next(2) == 0, Key: random.Next(keys), Ts: (long)(i * 10 + random.Next(0, 60))))
            .ToList();
        var result = new List<(bool, int, long, long?)>();
        for (int i = 0; i < elements.Count; i++)
        {
            // The watermark trails the element times by more than the disorder: nothing is late.
            long? watermark = i % 25 == 24 ? elements[i].Ts - 100 : null;
            result.Add((elements[i].Left, elements[i].Key, elements[i].Ts, watermark));
        }

        return result;
    }

    private static void Feed(OperatorHarness<string> harness, IEnumerable<(bool Left, int Key, long Ts, long? WatermarkAfter)> input)
    {
        foreach (var (left, key, ts, watermark) in input)
        {
            if (left)
            {
                harness.Element1<(int, long), (int, long)>((key, ts), ts);
            }
            else
            {
                harness.Element2<(int, long), (int, long)>((key, ts), ts);
            }

            if (watermark is { } w)
            {
                harness.Watermark(w);
            }
        }
    }

    [Theory]
    [InlineData(-50, 30)]
    [InlineData(0, 0)]
    [InlineData(20, 80)]
    [InlineData(-90, -10)]
    public void An_interval_join_matches_exactly_the_pairs_within_the_bounds_whatever_the_arrival_order(long lower, long upper)
    {
        var input = Input(seed: (int)(lower * 7 + upper), count: 600, keys: 4);
        var harness = IntervalJoin(lower, upper);
        Feed(harness, input);
        harness.Watermark(Watermark.EndOfTime);

        var lefts = input.Where(e => e.Left).ToList();
        var rights = input.Where(e => !e.Left).ToList();
        var expected = (from l in lefts
                        from r in rights
                        where l.Key == r.Key && r.Ts >= l.Ts + lower && r.Ts <= l.Ts + upper
                        select $"{l.Key}:{l.Ts}-{r.Ts}").Order(StringComparer.Ordinal).ToList();
        Assert.NotEmpty(expected);
        Assert.Equal(expected, harness.Output.Values.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Exclusive_bounds_leave_out_the_pairs_on_the_bounds()
    {
        var op = new IntervalJoinOperator<int, (int Key, long Ts), (int Key, long Ts), string>("interval join", l => l.Key, r => r.Key, -10 + 1, 10 - 1, new PairJoin());
        var harness = OperatorHarness<string>.TwoInput(op);
        harness.Element1<(int, long), (int, long)>((1, 100), 100);
        foreach (long ts in new long[] { 90, 91, 109, 110 })
        {
            harness.Element2<(int, long), (int, long)>((1, ts), ts);
        }

        Assert.Equal(new[] { "1:100-91", "1:100-109" }, harness.Output.Values);
    }

    [Fact]
    public void An_interval_join_drops_late_elements_and_forgets_buffered_ones_once_they_cannot_match()
    {
        var op = new IntervalJoinOperator<int, (int Key, long Ts), (int Key, long Ts), string>("interval join", l => l.Key, r => r.Key, -5, 5, new PairJoin());
        var harness = OperatorHarness<string>.TwoInput(op);
        harness.Element1<(int, long), (int, long)>((1, 100), 100);
        harness.Watermark(104);
        harness.Element2<(int, long), (int, long)>((1, 103), 103);   // late: behind the watermark
        harness.Element2<(int, long), (int, long)>((1, 105), 105);   // matches
        harness.Watermark(200);
        Assert.Equal(new[] { "1:100-105" }, harness.Output.Values);
        Assert.Equal(1, op.LateRecordsDropped);
        Assert.Empty(harness.Snapshot());   // buffers and timers are all gone
    }

    [Fact]
    public void An_interval_join_restored_mid_stream_gives_the_pairs_of_an_uninterrupted_run()
    {
        var input = Input(seed: 3, count: 800, keys: 5);
        var uninterrupted = IntervalJoin(-40, 40);
        Feed(uninterrupted, input);
        uninterrupted.Watermark(Watermark.EndOfTime);

        var first = IntervalJoin(-40, 40);
        Feed(first, input.Take(400));
        var second = IntervalJoin(-40, 40, first.Snapshot());
        second.Watermark(input.Take(400).Last(e => e.WatermarkAfter is not null).WatermarkAfter!.Value);
        Feed(second, input.Skip(400));
        second.Watermark(Watermark.EndOfTime);

        Assert.Equal(uninterrupted.Output.Values.Order(StringComparer.Ordinal), first.Output.Values.Concat(second.Output.Values).Order(StringComparer.Ordinal));
    }

    private static OperatorHarness<string> WindowJoin(AlignedWindowAssigner assigner, bool outer = false, IReadOnlyList<KeyedStateChunk>? restore = null)
        => OperatorHarness<string>.TwoInput(new WindowCoGroupOperator<int, (int Key, long Ts), (int Key, long Ts), string>(
            "window join", l => l.Key, r => r.Key, assigner, (key, window, lefts, rights, output) =>
            {
                if (outer && rights.Count == 0)
                {
                    foreach (var l in lefts)
                    {
                        output.Collect($"{key}@{window.Start}:{l.Ts}-none");
                    }
                }

                foreach (var l in lefts)
                {
                    foreach (var r in rights)
                    {
                        output.Collect($"{key}@{window.Start}:{l.Ts}-{r.Ts}");
                    }
                }
            }), restore: restore);

    private static List<string> ExpectedWindowJoin(List<(bool Left, int Key, long Ts, long? WatermarkAfter)> input, long size, long slide, bool outer)
    {
        static IEnumerable<long> Starts(long ts, long size, long slide)
        {
            for (long start = ts - (ts % slide + slide) % slide; start > ts - size; start -= slide)
            {
                yield return start;
            }
        }

        var lefts = input.Where(e => e.Left).SelectMany(e => Starts(e.Ts, size, slide).Select(s => (e.Key, Start: s, e.Ts))).ToList();
        var rights = input.Where(e => !e.Left).SelectMany(e => Starts(e.Ts, size, slide).Select(s => (e.Key, Start: s, e.Ts))).ToList();
        var inner = from l in lefts
                    join r in rights on (l.Key, l.Start) equals (r.Key, r.Start)
                    select $"{l.Key}@{l.Start}:{l.Ts}-{r.Ts}";
        var unmatched = outer
            ? lefts.Where(l => !rights.Any(r => r.Key == l.Key && r.Start == l.Start)).Select(l => $"{l.Key}@{l.Start}:{l.Ts}-none")
            : Enumerable.Empty<string>();
        return inner.Concat(unmatched).Order(StringComparer.Ordinal).ToList();
    }

    [Theory]
    [InlineData(100, 100, false)]
    [InlineData(100, 40, false)]
    [InlineData(100, 100, true)]
    public void A_window_join_pairs_the_elements_of_each_key_and_window_and_a_co_group_sees_one_sided_windows(long size, long slide, bool outer)
    {
        var input = Input(seed: (int)(size + slide), count: 500, keys: 6);
        var assigner = size == slide
            ? (AlignedWindowAssigner)TumblingEventTimeWindows.Of(TimeSpan.FromMilliseconds(size))
            : SlidingEventTimeWindows.Of(TimeSpan.FromMilliseconds(size), TimeSpan.FromMilliseconds(slide));
        var harness = WindowJoin(assigner, outer);
        Feed(harness, input);
        harness.Watermark(Watermark.EndOfTime);

        var expected = ExpectedWindowJoin(input, size, slide, outer);
        Assert.NotEmpty(expected);
        Assert.Equal(expected, harness.Output.Values.Order(StringComparer.Ordinal));
        Assert.All(harness.Output.Records, r => Assert.Equal(long.Parse(r.Value.Split('@', ':')[1]) + size - 1, r.Timestamp));
    }

    [Fact]
    public void A_window_fires_when_the_watermark_reaches_its_last_millisecond_and_later_elements_for_it_are_late()
    {
        var op = new WindowCoGroupOperator<int, (int Key, long Ts), (int Key, long Ts), string>(
            "window join", l => l.Key, r => r.Key, TumblingEventTimeWindows.Of(TimeSpan.FromMilliseconds(100)),
            (key, window, lefts, rights, output) => output.Collect($"{window.Start}:{lefts.Count}x{rights.Count}"));
        var harness = OperatorHarness<string>.TwoInput(op);
        harness.Element1<(int, long), (int, long)>((1, 99), 99);
        harness.Element2<(int, long), (int, long)>((1, 0), 0);
        harness.Element2<(int, long), (int, long)>((1, 100), 100);
        harness.Watermark(98);
        Assert.Empty(harness.Output.Records);
        harness.Watermark(99);
        Assert.Equal(new[] { "0:1x1" }, harness.Output.Values);
        harness.Element1<(int, long), (int, long)>((1, 50), 50);   // its window has fired
        harness.Watermark(Watermark.EndOfTime);
        Assert.Equal(new[] { "0:1x1", "100:0x1" }, harness.Output.Values);
        Assert.Equal(1, op.LateRecordsDropped);
    }

    [Fact]
    public void A_window_join_restored_mid_stream_gives_the_pairs_of_an_uninterrupted_run()
    {
        var input = Input(seed: 11, count: 800, keys: 5);
        var assigner = SlidingEventTimeWindows.Of(TimeSpan.FromMilliseconds(120), TimeSpan.FromMilliseconds(60));
        var uninterrupted = WindowJoin(assigner);
        Feed(uninterrupted, input);
        uninterrupted.Watermark(Watermark.EndOfTime);

        var first = WindowJoin(assigner);
        Feed(first, input.Take(400));
        var second = WindowJoin(assigner, restore: first.Snapshot());
        second.Watermark(input.Take(400).Last(e => e.WatermarkAfter is not null).WatermarkAfter!.Value);
        Feed(second, input.Skip(400));
        second.Watermark(Watermark.EndOfTime);

        Assert.Equal(uninterrupted.Output.Values.Order(StringComparer.Ordinal), first.Output.Values.Concat(second.Output.Values).Order(StringComparer.Ordinal));
    }
}
