using OrleansStream.Functions;
using OrleansStream.KeyGroups;
using OrleansStream.Operators;
using OrleansStream.State;
using OrleansStream.Time;
using OrleansStream.Windows;

namespace OrleansStream.Tests.Model;

/// <summary>
/// Allowed lateness and the late-data side output of event-time windows, with the semantics of Flink's
/// default EventTimeTrigger: fire when the watermark reaches end - 1, keep the state until it reaches
/// end - 1 + lateness, fire again at once for every element in between, late beyond that.
/// </summary>
public class AllowedLatenessTests
{
    private static readonly OutputTag<(string Key, long Ts)> LateTag = new("late");

    private static WindowResult<string, long> Result(string key, long start, long end, long count) => new(key, new TimeWindow(start, end), count);

    [Fact]
    public void An_element_within_the_lateness_updates_the_fired_window_and_fires_it_again_at_once()
    {
        var window = new CountWindow(TumblingEventTimeWindows.Of(TimeSpan.FromSeconds(10)), TimeSpan.FromSeconds(5));
        window.Send("a", 1_000);
        window.Send("a", 2_000);
        window.Watermark(9_999);
        Assert.Equal([Result("a", 0, 10_000, 2)], window.Results);

        window.Send("a", 3_000);   // the window fired but is kept until the watermark reaches 14 999
        window.Send("b", 4_000);   // a key with no state in the fired window yet: fires alone, at once
        Assert.Equal([Result("a", 0, 10_000, 2), Result("a", 0, 10_000, 3), Result("b", 0, 10_000, 1)], window.Results);
        Assert.All(window.Output.Records, r => Assert.Equal(9_999, r.Timestamp));

        window.Watermark(14_000);   // nothing new to fire, nothing to clean up yet
        Assert.Equal(3, window.Results.Count);
        Assert.Equal(1, window.Operator.FiredWindowCount);
        Assert.Empty(window.Late);
        Assert.Equal(0, window.Operator.LateRecordsDropped);
    }

    [Fact]
    public void An_element_beyond_the_lateness_goes_to_the_late_side_output_and_the_state_is_gone()
    {
        var window = new CountWindow(TumblingEventTimeWindows.Of(TimeSpan.FromSeconds(10)), TimeSpan.FromSeconds(5));
        window.Send("a", 1_000);
        window.Watermark(20_000);   // fires [0, 10 s) and, past 14 999, drops its state
        Assert.Equal(0, window.Operator.FiredWindowCount);
        Assert.Equal(0, window.Operator.OpenWindowCount);

        window.Send("a", 9_999);
        window.Send("b", 25_000);   // on time for its own window
        window.Watermark(Watermark.EndOfTime);

        Assert.Equal([Result("a", 0, 10_000, 1), Result("b", 20_000, 30_000, 1)], window.Results);
        Assert.Equal([(("a", 9_999L), 9_999L)], window.Late);
        Assert.Equal(1, window.Operator.LateRecordsSideOutput);
        Assert.Equal(0, window.Operator.LateRecordsDropped);
    }

    [Fact]
    public void Without_a_late_tag_or_without_a_reader_of_it_late_elements_are_dropped_and_counted()
    {
        var untagged = new CountWindow(TumblingEventTimeWindows.Of(TimeSpan.FromSeconds(10)), TimeSpan.FromSeconds(1), tagged: false);
        var unread = new CountWindow(TumblingEventTimeWindows.Of(TimeSpan.FromSeconds(10)), TimeSpan.FromSeconds(1), tagged: true, sideOutputRead: false);
        foreach (var window in new[] { untagged, unread })
        {
            window.Watermark(11_000);
            window.Send("a", 500);
            window.Send("a", 9_000);
            Assert.Empty(window.Results);
            Assert.Equal(2, window.Operator.LateRecordsDropped);
            Assert.Equal(0, window.Operator.LateRecordsSideOutput);
        }
    }

    [Fact]
    public void Ties_at_the_boundaries_fire_at_end_minus_one_and_drop_at_end_minus_one_plus_lateness()
    {
        var window = new CountWindow(TumblingEventTimeWindows.Of(TimeSpan.FromSeconds(5)), TimeSpan.FromMilliseconds(2_000));
        window.Send("a", 4_999);
        window.Send("a", 5_000);   // the next window: [5 000, 10 000)
        window.Watermark(4_998);
        Assert.Empty(window.Results);

        window.Watermark(4_999);   // = end - 1: fires
        Assert.Equal([Result("a", 0, 5_000, 1)], window.Results);

        window.Watermark(6_998);   // = end - 1 + lateness - 1: still kept
        window.Send("a", 0);
        Assert.Equal(Result("a", 0, 5_000, 2), window.Results[^1]);

        window.Watermark(6_999);   // = end - 1 + lateness: gone
        Assert.Equal(0, window.Operator.FiredWindowCount);
        window.Send("a", 4_999);
        Assert.Equal([(("a", 4_999L), 4_999L)], window.Late);

        window.Send("a", 5_000);   // the window after it is neither fired nor late
        window.Watermark(9_999);
        Assert.Equal([Result("a", 0, 5_000, 1), Result("a", 0, 5_000, 2), Result("a", 5_000, 10_000, 2)], window.Results);
    }

    [Fact]
    public void Zero_lateness_is_the_plain_behaviour_an_element_behind_the_fired_window_is_late()
    {
        var window = new CountWindow(TumblingEventTimeWindows.Of(TimeSpan.FromSeconds(5)), TimeSpan.Zero);
        window.Send("a", 1_000);
        window.Watermark(4_999);
        window.Send("a", 2_000);
        Assert.Equal([Result("a", 0, 5_000, 1)], window.Results);
        Assert.Equal([(("a", 2_000L), 2_000L)], window.Late);
        Assert.Equal(0, window.Operator.FiredWindowCount);
    }

    [Fact]
    public void Sliding_windows_are_late_one_by_one_and_the_element_is_late_only_when_all_its_windows_are()
    {
        var window = new CountWindow(SlidingEventTimeWindows.Of(TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(5)), TimeSpan.FromSeconds(3));
        window.Send("a", 7_000);    // [0, 10 s) and [5 s, 15 s)
        window.Watermark(12_000);   // [0, 10 s) fires; kept until 12 999
        Assert.Equal([Result("a", 0, 10_000, 1)], window.Results);

        window.Send("a", 8_000);    // re-fires [0, 10 s); joins the open [5 s, 15 s)
        Assert.Equal(Result("a", 0, 10_000, 2), window.Results[^1]);

        window.Watermark(13_000);   // [0, 10 s) is gone
        window.Send("a", 9_000);    // too late for [0, 10 s) but not for [5 s, 15 s): not a late element
        Assert.Empty(window.Late);
        Assert.Equal(2, window.Results.Count);

        window.Watermark(14_999);   // [5 s, 15 s) fires with 7 000, 8 000 and 9 000
        Assert.Equal(Result("a", 5_000, 15_000, 3), window.Results[^1]);

        window.Send("a", 6_000);    // [0, 10 s) gone, [5 s, 15 s) kept until 17 999: re-fires
        Assert.Equal(Result("a", 5_000, 15_000, 4), window.Results[^1]);

        window.Watermark(17_999);
        window.Send("a", 9_500);    // both its windows are gone: late
        window.Send("a", 12_000);   // [5 s, 15 s) gone, [10 s, 20 s) open: accepted
        window.Watermark(Watermark.EndOfTime);

        Assert.Equal([(("a", 9_500L), 9_500L)], window.Late);
        Assert.Equal(
            [Result("a", 0, 10_000, 1), Result("a", 0, 10_000, 2), Result("a", 5_000, 15_000, 3), Result("a", 5_000, 15_000, 4), Result("a", 10_000, 20_000, 1)],
            window.Results);
    }

    [Fact]
    public void Random_out_of_order_input_matches_a_model_of_fires_refires_and_late_elements()
    {
        foreach (var (assigner, lateness) in new (AlignedWindowAssigner, long)[]
                 {
                     (TumblingEventTimeWindows.Of(TimeSpan.FromSeconds(2)), 1_500),
                     (SlidingEventTimeWindows.Of(TimeSpan.FromSeconds(4), TimeSpan.FromSeconds(1)), 700),
                 })
        {
            var random = new Random(31);
            var events = Enumerable.Range(0, 4_000).Select(i => (Key: $"k{random.Next(5)}", Ts: i * 10L - random.Next(0, 5) * random.Next(0, 1_200))).ToList();
            const long bound = 500;
            var window = new CountWindow(assigner, TimeSpan.FromMilliseconds(lateness));
            long maxTs = long.MinValue;
            foreach (var (key, ts) in events)
            {
                window.Send(key, ts);
                maxTs = Math.Max(maxTs, ts);
                window.Watermark(maxTs - bound - 1);
            }

            window.Watermark(Watermark.EndOfTime);
            var (expectedResults, expectedLate) = LatenessModel.Run(events, assigner, bound, lateness);

            Assert.True(expectedLate.Count > 0 && expectedResults.Count(r => r.Refire) > 0, "the input should have late elements and re-fires");
            Assert.Equal(expectedResults.Select(r => r.Result).Order(ResultOrder.Instance), window.Results.Order(ResultOrder.Instance));
            Assert.Equal(expectedLate.Order(), window.Late.Select(l => l.Value).Order());
        }
    }

    [Fact]
    public void Restored_from_a_snapshot_in_the_middle_the_window_neither_fires_twice_nor_forgets_its_kept_state()
    {
        var assigner = TumblingEventTimeWindows.Of(TimeSpan.FromSeconds(10));
        var lateness = TimeSpan.FromSeconds(5);
        (string Key, long Ts)[] before = [("a", 1_000), ("b", 2_000), ("a", 11_000), ("c", 12_000)];
        (string Key, long Ts)[] after = [("a", 3_000), ("c", 13_000), ("b", 9_000), ("a", 21_000), ("a", 4_000)];
        var uninterrupted = new CountWindow(assigner, lateness);
        var first = new CountWindow(assigner, lateness);
        foreach (var (key, ts) in before)
        {
            uninterrupted.Send(key, ts);
            first.Send(key, ts);
        }

        uninterrupted.Watermark(10_500);   // [0, 10 s) fired and kept; [10 s, 20 s) open
        first.Watermark(10_500);
        var snapshot = first.Snapshot();

        // The restarted operator sees no watermark before the first elements: the kept window must
        // still be recognised as fired, or a.3000 would be counted into a window that fires again later.
        var restored = new CountWindow(assigner, lateness, restoreFrom: snapshot);
        foreach (var window in new[] { uninterrupted, restored })
        {
            window.Send(after[0].Key, after[0].Ts);
            window.Send(after[1].Key, after[1].Ts);
            window.Watermark(16_000);   // past the lateness of [0, 10 s)
            window.Send(after[2].Key, after[2].Ts);
            window.Send(after[3].Key, after[3].Ts);
            window.Watermark(20_500);   // [10 s, 20 s) fires
            window.Send(after[4].Key, after[4].Ts);
            window.Watermark(Watermark.EndOfTime);
        }

        Assert.Equal(
            [Result("a", 0, 10_000, 1), Result("a", 0, 10_000, 2), Result("a", 10_000, 20_000, 1), Result("a", 20_000, 30_000, 1), Result("b", 0, 10_000, 1), Result("c", 10_000, 20_000, 2)],
            uninterrupted.Results.Order(ResultOrder.Instance).OrderBy(r => r.Key, StringComparer.Ordinal));
        Assert.Equal(uninterrupted.Results.Order(ResultOrder.Instance), first.Results.Concat(restored.Results).Order(ResultOrder.Instance));
        Assert.Equal(uninterrupted.Late, restored.Late);
        Assert.Equal([(("b", 9_000L), 9_000L), (("a", 4_000L), 4_000L)], restored.Late);
    }

    [Fact]
    public void A_snapshot_restored_at_another_parallelism_splits_fired_and_open_windows_by_key_group()
    {
        var assigner = TumblingEventTimeWindows.Of(TimeSpan.FromSeconds(10));
        var lateness = TimeSpan.FromSeconds(5);
        var keys = Enumerable.Range(0, 40).Select(i => $"ip{i}").ToList();
        var uninterrupted = new CountWindow(assigner, lateness);
        var first = new CountWindow(assigner, lateness);
        foreach (var window in new[] { uninterrupted, first })
        {
            foreach (var key in keys)
            {
                window.Send(key, 1_000);
                window.Send(key, 12_000);
            }

            window.Watermark(10_500);
        }

        var snapshot = first.Snapshot();
        var halves = new[] { new CountWindow(assigner, lateness, restoreFrom: snapshot, subtask: 0, parallelism: 2), new CountWindow(assigner, lateness, restoreFrom: snapshot, subtask: 1, parallelism: 2) };
        foreach (var key in keys)
        {
            uninterrupted.Send(key, 2_000);
            halves[KeyOwner(key, 2)].Send(key, 2_000);
        }

        uninterrupted.Watermark(Watermark.EndOfTime);
        foreach (var half in halves)
        {
            half.Watermark(Watermark.EndOfTime);
        }

        Assert.All(halves, half => Assert.NotEmpty(half.Results));
        Assert.Equal(uninterrupted.Results.Skip(first.Results.Count).Order(ResultOrder.Instance), halves.SelectMany(h => h.Results).Order(ResultOrder.Instance));
        Assert.Equal(keys.Count * 3, uninterrupted.Results.Count);
    }

    private static int KeyOwner(string key, int parallelism)
        => KeyGroupRangeAssignment.AssignKeyToOperator(StableKeyHash<string>.Hash(key), 128, parallelism);

    /// <summary>A keyed count window with allowed lateness whose main and late outputs are collected.</summary>
    private sealed class CountWindow
    {
        private readonly OperatorContext _context;

        public CountWindow(AlignedWindowAssigner assigner, TimeSpan lateness, bool tagged = true, bool sideOutputRead = true,
            IReadOnlyList<KeyedStateChunk>? restoreFrom = null, int subtask = 0, int parallelism = 1)
        {
            Operator = new EventTimeWindowOperator<(string Key, long Ts), string, long, long, WindowResult<string, long>>(
                "count", assigner, e => e.Key, AggregateFunction.Count<(string, long)>(), (k, w, c) => new WindowResult<string, long>(k, w, c),
                lateness, tagged ? LateTag : null);
            var sides = new SideOutputs();
            if (sideOutputRead)
            {
                sides.Add(new SideOutput<(string Key, long Ts)>(LateTag.Id, LateOutput));
            }

            Operator.Bind(Output, sides);
            _context = new OperatorContext("job", 1, "count", subtask, parallelism, 128, TimeProvider.System);
            if (restoreFrom is not null)
            {
                foreach (var chunk in restoreFrom)
                {
                    KeyedSnapshotBuilder.Restore(chunk.Data, _ => _context.State);
                }
            }

            Operator.Open(_context);
        }

        public EventTimeWindowOperator<(string Key, long Ts), string, long, long, WindowResult<string, long>> Operator { get; }

        public CollectingOutput<WindowResult<string, long>> Output { get; } = new();

        public CollectingOutput<(string Key, long Ts)> LateOutput { get; } = new();

        public List<WindowResult<string, long>> Results => Output.Values;

        public List<((string Key, long Ts) Value, long Timestamp)> Late => LateOutput.Records;

        public void Send(string key, long ts) => ((IOutput<(string, long)>)Operator).Collect((key, ts), ts);

        public void Watermark(long watermark) => Operator.ProcessWatermark(watermark);

        public IReadOnlyList<KeyedStateChunk> Snapshot()
        {
            var builder = new KeyedSnapshotBuilder();
            _context.State.SnapshotKeyedState(builder);
            return builder.Build(targetChunkBytes: 64);
        }
    }

    private sealed class ResultOrder : IComparer<WindowResult<string, long>>
    {
        public static readonly ResultOrder Instance = new();

        public int Compare(WindowResult<string, long> x, WindowResult<string, long> y)
        {
            int byStart = x.Window.Start.CompareTo(y.Window.Start);
            int byKey = string.CompareOrdinal(x.Key, y.Key);
            return byStart != 0 ? byStart : byKey != 0 ? byKey : x.Value.CompareTo(y.Value);
        }
    }
}
