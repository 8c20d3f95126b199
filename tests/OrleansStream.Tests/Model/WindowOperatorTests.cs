using OrleansStream.Functions;
using OrleansStream.Operators;
using OrleansStream.Time;
using OrleansStream.Windows;

namespace OrleansStream.Tests.Model;

public class WindowOperatorTests
{
    private static (EventTimeWindowOperator<(string Key, long Ts), string, long, long, WindowResult<string, long>> Op, CollectingOutput<WindowResult<string, long>> Out) CountWindow(AlignedWindowAssigner assigner)
    {
        var op = new EventTimeWindowOperator<(string Key, long Ts), string, long, long, WindowResult<string, long>>(
            "count", assigner, e => e.Key, AggregateFunction.Count<(string, long)>(), (k, w, c) => new WindowResult<string, long>(k, w, c));
        var output = new CollectingOutput<WindowResult<string, long>>();
        op.Bind(output);
        op.Open(CollectingOutput<WindowResult<string, long>>.Context());
        return (op, output);
    }

    private static void Send<TOut>(OneInputOperator<(string Key, long Ts), TOut> op, string key, long ts)
        => ((IOutput<(string, long)>)op).Collect((key, ts), ts);

    [Fact]
    public void Tumbling_window_fires_when_the_watermark_passes_its_end_and_includes_out_of_order_elements()
    {
        var (op, output) = CountWindow(TumblingEventTimeWindows.Of(TimeSpan.FromSeconds(5)));
        Send(op, "a", 1_000);
        Send(op, "a", 6_000);
        Send(op, "b", 4_999);   // out of order, same window as the first
        Send(op, "a", 2_000);
        op.ProcessWatermark(4_998);
        Assert.Empty(output.Records);

        op.ProcessWatermark(4_999);   // window [0, 5000) ends: its max timestamp 4999 is reached
        Assert.Equal(new[] { new WindowResult<string, long>("a", new TimeWindow(0, 5_000), 2), new WindowResult<string, long>("b", new TimeWindow(0, 5_000), 1) },
            output.Values.OrderBy(r => r.Key));
        Assert.All(output.Records, r => Assert.Equal(4_999, r.Timestamp));
        Assert.Equal(4_999, output.Watermarks.Last());

        op.ProcessWatermark(Watermark.EndOfTime);
        Assert.Equal(new WindowResult<string, long>("a", new TimeWindow(5_000, 10_000), 1), output.Values.Last());
    }

    [Fact]
    public void Elements_behind_the_watermark_are_late_and_dropped()
    {
        var (op, output) = CountWindow(TumblingEventTimeWindows.Of(TimeSpan.FromSeconds(5)));
        op.ProcessWatermark(5_000);
        Send(op, "a", 4_000);
        op.ProcessWatermark(Watermark.EndOfTime);
        Assert.Empty(output.Records);
        Assert.Equal(1, op.LateRecordsDropped);
    }

    [Fact]
    public void Watermark_tie_on_window_end_minus_one_fires_and_an_element_at_the_end_opens_the_next_window()
    {
        var (op, output) = CountWindow(TumblingEventTimeWindows.Of(TimeSpan.FromSeconds(5)));
        Send(op, "a", 4_999);
        Send(op, "a", 5_000);
        op.ProcessWatermark(4_999);
        Assert.Equal(new[] { new WindowResult<string, long>("a", new TimeWindow(0, 5_000), 1) }, output.Values);
        op.ProcessWatermark(9_999);
        Assert.Equal(new WindowResult<string, long>("a", new TimeWindow(5_000, 10_000), 1), output.Values.Last());
    }

    [Fact]
    public void Sliding_window_counts_each_element_in_size_over_slide_windows()
    {
        var (op, output) = CountWindow(SlidingEventTimeWindows.Of(TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(5)));
        Send(op, "a", 7_000);
        op.ProcessWatermark(Watermark.EndOfTime);
        Assert.Equal(new[] { new TimeWindow(0, 10_000), new TimeWindow(5_000, 15_000) }, output.Values.Select(r => r.Window));
        Assert.All(output.Values, r => Assert.Equal(1, r.Value));
    }

    [Fact]
    public void Negative_timestamps_align_to_the_window_grid()
    {
        var assigner = TumblingEventTimeWindows.Of(TimeSpan.FromSeconds(5));
        Assert.Equal(-5_000, assigner.LastWindowStart(-1));
        Assert.Equal(0, assigner.LastWindowStart(0));
    }

    [Fact]
    public void Window_aggregate_matches_a_linq_computation_on_random_out_of_order_input()
    {
        var random = new Random(7);
        var events = Enumerable.Range(0, 5_000).Select(i => (Key: $"k{random.Next(20)}", Ts: i * 10L - random.Next(0, 3_000))).ToList();
        var (op, output) = CountWindow(SlidingEventTimeWindows.Of(TimeSpan.FromSeconds(4), TimeSpan.FromSeconds(2)));
        long maxTs = long.MinValue;
        foreach (var (key, ts) in events)
        {
            Send(op, key, ts);
            maxTs = Math.Max(maxTs, ts);
            op.ProcessWatermark(maxTs - 3_000 - 1);   // bound of 3 s: nothing is late
        }

        op.ProcessWatermark(Watermark.EndOfTime);
        var expected = events
            .SelectMany(e => new[] { Math.Floor(e.Ts / 2_000.0) * 2_000, Math.Floor(e.Ts / 2_000.0) * 2_000 - 2_000 }.Select(start => (e.Key, Start: (long)start)))
            .GroupBy(x => x)
            .Select(g => new WindowResult<string, long>(g.Key.Key, new TimeWindow(g.Key.Start, g.Key.Start + 4_000), g.Count()))
            .OrderBy(r => r.Window.Start).ThenBy(r => r.Key);
        Assert.Equal(expected, output.Values.OrderBy(r => r.Window.Start).ThenBy(r => r.Key));
        Assert.Equal(0, op.LateRecordsDropped);
    }

    [Fact]
    public void Processing_time_window_fires_on_the_clock_and_at_end_of_input()
    {
        var clock = new ManualClock(1_000);
        var op = new ProcessingTimeWindowOperator<string, string, long, long, WindowResult<string, long>>(
            "pt", TumblingProcessingTimeWindows.Of(TimeSpan.FromSeconds(1)), s => s, AggregateFunction.Count<string>(), (k, w, c) => new WindowResult<string, long>(k, w, c));
        var output = new CollectingOutput<WindowResult<string, long>>();
        op.Bind(output);
        op.Open(CollectingOutput<string>.Context(clock));
        ((IOutput<string>)op).Collect("x", Watermark.NoTimestamp);
        ((IOutput<string>)op).Collect("x", Watermark.NoTimestamp);
        op.OnProcessingTime(1_999);
        Assert.Empty(output.Records);
        op.OnProcessingTime(2_000);
        Assert.Equal(new[] { new WindowResult<string, long>("x", new TimeWindow(1_000, 2_000), 2) }, output.Values);

        clock.Now = 2_500;
        ((IOutput<string>)op).Collect("y", Watermark.NoTimestamp);
        op.Finish();
        Assert.Equal(new WindowResult<string, long>("y", new TimeWindow(2_000, 3_000), 1), output.Values.Last());
    }

    [Fact]
    public void Processing_time_windows_fire_before_the_end_of_time_watermark_is_passed_on()
    {
        var op = new ProcessingTimeWindowOperator<string, string, long, long, WindowResult<string, long>>(
            "pt", TumblingProcessingTimeWindows.Of(TimeSpan.FromSeconds(1)), s => s, AggregateFunction.Count<string>(), (k, w, c) => new WindowResult<string, long>(k, w, c));
        var output = new CollectingOutput<WindowResult<string, long>>();
        op.Bind(output);
        op.Open(CollectingOutput<string>.Context(new ManualClock(1_000)));
        ((IOutput<string>)op).Collect("x", Watermark.NoTimestamp);
        op.ProcessWatermark(Watermark.EndOfTime);
        Assert.Single(output.Records);
        Assert.Equal(new[] { Watermark.EndOfTime }, output.Watermarks);
    }

    [Fact]
    public void Keyed_reduce_emits_the_running_value_per_key()
    {
        var op = new KeyedAggregateOperator<(string Key, long Ts), string, ReduceAccumulator<(string, long)>, (string, long)>(
            "reduce", e => e.Key, AggregateFunction.Reduce<(string Key, long Ts)>((a, b) => (a.Key, a.Ts + b.Ts)));
        var output = new CollectingOutput<(string, long)>();
        op.Bind(output);
        op.Open(CollectingOutput<string>.Context());
        Send(op, "a", 1);
        Send(op, "b", 10);
        Send(op, "a", 2);
        Assert.Equal(new[] { ("a", 1L), ("b", 10L), ("a", 3L) }, output.Values);
    }

    [Fact]
    public void User_function_failure_names_the_operator()
    {
        var op = new MapOperator<int, int>("divide", x => 10 / x);
        op.Bind(new CollectingOutput<int>());
        var error = Assert.Throws<OperatorException>(() => ((IOutput<int>)op).Collect(0, 0));
        Assert.Equal("divide", error.OperatorName);
        Assert.IsType<DivideByZeroException>(error.InnerException);
    }
}
