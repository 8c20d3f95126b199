using OrleansStream.Api;
using OrleansStream.Functions;
using OrleansStream.Operators;
using OrleansStream.Windows;

namespace OrleansStream.Tests.Windows;

public class EvictorAndProcessTests
{
    private static WindowResult<string, long> R(string key, TimeWindow window, long value) => new(key, window, value);

    [Theory]
    [InlineData(3, 2, 20)]
    [InlineData(4, 1, 9)]
    [InlineData(2, 3, 17)]
    public void A_count_evictor_with_a_count_trigger_on_global_windows_sums_the_last_size_elements_every_slide(int size, int slide, int elements)
    {
        // Flink's countWindow(size, slide): GlobalWindows, CountEvictor.Of(size), CountTrigger.Of(slide).
        var windowed = WindowTest.Windowed(GlobalWindows.Create()).Evictor(CountEvictor.Of(size)).Trigger(CountTrigger.Of(slide));
        var h = new WindowHarness<WindowResult<string, long>>(WindowTest.Sum(windowed));
        for (long v = 1; v <= elements; v++)
        {
            h.Element("a", v, v);
        }

        var expected = Enumerable.Range(1, elements).Where(n => n % slide == 0)
            .Select(n => R("a", GlobalWindows.Window, Enumerable.Range(Math.Max(1, n - size + 1), Math.Min(size, n)).Sum()))
            .ToList();
        Assert.Equal(expected, h.Results);
        Assert.IsType<WindowOperator<Ev, string, WindowResult<string, long>>>(h.Operator);
    }

    [Fact]
    public void A_time_evictor_keeps_the_elements_within_its_span_of_the_newest_before_the_function_runs()
    {
        var window = new TimeWindow(0, 10_000);
        var h = new WindowHarness<WindowResult<string, long>>(WindowTest.Count(
            WindowTest.Windowed(TumblingEventTimeWindows.Of(TimeSpan.FromSeconds(10))).Evictor(TimeEvictor.Of(TimeSpan.FromSeconds(2)))));
        foreach (long ts in new long[] { 9_000, 1_000, 7_000, 8_000, 7_001 })
        {
            h.Element("a", ts);
        }

        h.Watermark(9_999);   // newest 9000: elements at or before 7000 go
        Assert.Equal([R("a", window, 3)], h.Results);
    }

    [Fact]
    public void An_evictor_after_the_function_lets_it_see_everything_and_leaves_the_window_evicted_for_a_late_refire()
    {
        var window = new TimeWindow(0, 10_000);
        var h = new WindowHarness<WindowResult<string, long>>(WindowTest.Count(
            WindowTest.Windowed(TumblingEventTimeWindows.Of(TimeSpan.FromSeconds(10)))
                .AllowedLateness(TimeSpan.FromSeconds(5))
                .SideOutputLateData(WindowTest.LateTag)
                .Evictor(TimeEvictor.Of(TimeSpan.FromSeconds(2), doEvictAfter: true))));
        foreach (long ts in new long[] { 1_000, 5_000, 8_000, 9_000 })
        {
            h.Element("a", ts);
        }

        h.Watermark(9_999);
        Assert.Equal([R("a", window, 4)], h.Results);   // the function saw all four; 1000 and 5000 are gone after it
        h = h.Restored();
        h.Watermark(9_999);
        h.Element("a", 2_000);                           // within the lateness: the window fires again at once
        Assert.Equal([R("a", window, 3)], h.Results);    // 8000, 9000 and 2000
        h.Watermark(14_999);
        h.Element("a", 3_000);
        Assert.Equal([new Ev("a", 3_000, 1)], h.Late.Values);
    }

    [Fact]
    public void A_delta_evictor_removes_the_elements_too_far_from_the_last_one()
    {
        var windowed = WindowTest.Windowed(GlobalWindows.Create())
            .Evictor(DeltaEvictor.Of<Ev>(10, (a, b) => Math.Abs(a.Value - b.Value)))
            .Trigger(CountTrigger.Of(4));
        var h = new WindowHarness<WindowResult<string, long>>(WindowTest.Sum(windowed));
        foreach (long v in new long[] { 1, 30, 25, 22 })
        {
            h.Element("a", v, v);
        }

        Assert.Equal([R("a", GlobalWindows.Window, 77)], h.Results);   // 1 is 21 away from 22
    }

    [Fact]
    public void A_process_window_function_gets_the_key_the_window_and_all_elements_in_arrival_order_and_may_write_side_outputs()
    {
        var side = new OutputTag<string>("sizes");
        var windowed = WindowTest.Windowed(TumblingEventTimeWindows.Of(TimeSpan.FromSeconds(10)));
        var sideOutput = new Model.CollectingOutput<string>();
        var h = new WindowHarness<string>(windowed.ProcessOperator(new Describe(side)), addSideOutputs: sides => sides.Add(new SideOutput<string>(side.Id, sideOutput)));
        h.Element("b", 12_000, 3);
        h.Element("a", 3_000, 1);
        h.Element("a", 1_000, 2);
        h.Watermark(long.MaxValue);
        Assert.Equal(["a [0, 10000) 1,2", "b [10000, 20000) 3"], h.Results);
        Assert.Equal([9_999L, 19_999L], h.Output.Records.Select(r => r.Timestamp));
        Assert.Equal(["a:2", "b:1"], sideOutput.Values);
    }

    [Fact]
    public void Apply_with_a_window_function_delegate_runs_over_sessions_too()
    {
        var windowed = WindowTest.Windowed(EventTimeSessionWindows.WithGap(TimeSpan.FromMilliseconds(10)));
        var h = new WindowHarness<string>(windowed.ProcessOperator(new WindowFunctionAdapter<Ev, string, string>(
            (key, window, elements, output) => output.Collect($"{key} {window} {string.Join(",", elements.Select(e => e.Value))}"))));
        h.Element("a", 0, 1);    // [0, 10)
        h.Element("a", 15, 3);   // [15, 25)
        h.Element("a", 8, 2);    // [8, 18) bridges: the merged session holds its parts' elements, then this one
        h.Watermark(long.MaxValue);
        Assert.Equal(["a [0, 25) 1,3,2"], h.Results);
    }

    private sealed class Describe(OutputTag<string>? side) : ProcessWindowFunction<Ev, string, string>
    {
        public override void Process(string key, ProcessWindowContext context, IEnumerable<Ev> elements, ICollector<string> output)
        {
            var list = elements.ToList();
            output.Collect($"{key} {context.Window} {string.Join(",", list.Select(e => e.Value))}");
            if (side is not null)
            {
                context.Output(side, $"{key}:{list.Count}");
            }
        }
    }
}
