using OrleansStream.Api;
using OrleansStream.Operators;
using OrleansStream.Windows;

namespace OrleansStream.Tests.Windows;

public class TriggerTests
{
    private static WindowResult<string, long> R(string key, TimeWindow window, long value) => new(key, window, value);

    private static WindowHarness<WindowResult<string, long>> CountOf(WindowedStream<Ev, string> windowed) => new(WindowTest.Count(windowed));

    [Fact]
    public void Global_windows_never_fire_without_a_trigger_not_even_at_the_end_of_input()
    {
        var h = CountOf(WindowTest.Windowed(GlobalWindows.Create()));
        for (int i = 0; i < 10; i++)
        {
            h.Element("a", i);
        }

        h.Watermark(long.MaxValue);
        h.Operator.Finish();
        Assert.Empty(h.Results);
    }

    [Fact]
    public void A_count_trigger_on_global_windows_fires_every_n_elements_of_a_key_with_the_whole_window()
    {
        var h = CountOf(WindowTest.Windowed(GlobalWindows.Create()).Trigger(CountTrigger.Of(3)));
        var expected = new List<WindowResult<string, long>>();
        var actual = new List<WindowResult<string, long>>();
        var seen = new Dictionary<string, long>();
        var random = new Random(7);
        for (int i = 0; i < 50; i++)
        {
            string key = random.Next(2) == 0 ? "a" : "b";
            h.Element(key, i);
            seen[key] = seen.GetValueOrDefault(key) + 1;
            if (seen[key] % 3 == 0)
            {
                expected.Add(R(key, GlobalWindows.Window, seen[key]));   // not purged: the window keeps growing
            }

            if (i == 25)
            {
                // The counts of the trigger are keyed state: a restored operator goes on counting where this one was.
                Assert.All(h.Output.Records, r => Assert.Equal(long.MaxValue - 1, r.Timestamp));
                actual.AddRange(h.Results);
                h = h.Restored();
            }
        }

        actual.AddRange(h.Results);
        Assert.Equal(expected, actual);
    }

    [Fact]
    public void A_purging_count_trigger_fires_each_batch_of_n_on_its_own()
    {
        var h = new WindowHarness<WindowResult<string, long>>(WindowTest.Sum(WindowTest.Windowed(GlobalWindows.Create()).Trigger(PurgingTrigger.Of(CountTrigger.Of(2)))));
        foreach (var v in new long[] { 1, 2, 3, 4, 5 })
        {
            h.Element("a", v, v);
        }

        h.Watermark(long.MaxValue);
        Assert.Equal([R("a", GlobalWindows.Window, 3), R("a", GlobalWindows.Window, 7)], h.Results);
    }

    [Fact]
    public void A_continuous_event_time_trigger_fires_at_each_aligned_interval_and_at_the_window_end()
    {
        var window = new TimeWindow(0, 10_000);
        var h = CountOf(WindowTest.Windowed(TumblingEventTimeWindows.Of(TimeSpan.FromSeconds(10))).Trigger(ContinuousEventTimeTrigger.Of(TimeSpan.FromSeconds(3))));
        Assert.IsType<WindowOperator<Ev, string, WindowResult<string, long>>>(h.Operator);
        h.Element("a", 1_000);
        h.Element("a", 2_500);
        h.Watermark(2_999);
        Assert.Empty(h.Results);
        h.Watermark(3_000);   // the first aligned interval: 0 + 3000
        Assert.Equal([R("a", window, 2)], h.Results);
        h.Element("a", 4_000);
        h.Element("a", 9_999);
        h.Watermark(8_999);   // passes 6000
        Assert.Equal([R("a", window, 2), R("a", window, 4)], h.Results);
        Assert.All(h.Output.Records, r => Assert.Equal(9_999, r.Timestamp));   // every firing is stamped with the window's last millisecond
        h.Watermark(9_998);   // passes 9000
        Assert.Equal(3, h.Results.Count);
        h.Watermark(9_999);   // the window's end: the next interval (12000) is cut to 9999, one firing
        Assert.Equal([R("a", window, 2), R("a", window, 4), R("a", window, 4), R("a", window, 4)], h.Results);
        h.Watermark(long.MaxValue);
        Assert.Equal(4, h.Results.Count);
        Assert.Equal(0, ((WindowOperator<Ev, string, WindowResult<string, long>>)h.Operator).EventTimeTimerCount);
    }

    [Fact]
    public void A_purging_continuous_event_time_trigger_on_global_windows_emits_what_arrived_in_each_interval_and_ends_at_the_end_of_time()
    {
        var h = CountOf(WindowTest.Windowed(GlobalWindows.Create()).Trigger(PurgingTrigger.Of(ContinuousEventTimeTrigger.Of(TimeSpan.FromSeconds(1)))));
        h.Element("a", 100);
        h.Element("a", 900);
        h.Watermark(999);
        Assert.Empty(h.Results);
        h.Watermark(1_000);
        h.Element("a", 1_500);
        h.Watermark(2_000);
        h.Watermark(3_000);   // an empty interval fires nothing
        h.Element("a", 3_100);
        Assert.Equal([R("a", GlobalWindows.Window, 2), R("a", GlobalWindows.Window, 1)], h.Results);
        h = h.Restored();
        h.Watermark(3_000);
        h.Element("a", 3_200);
        h.Watermark(long.MaxValue);   // fires the pending interval once, then stops instead of firing forever
        Assert.Equal([R("a", GlobalWindows.Window, 2)], h.Results);
        Assert.Equal(0, ((WindowOperator<Ev, string, WindowResult<string, long>>)h.Operator).EventTimeTimerCount);
    }

    [Fact]
    public void A_continuous_processing_time_trigger_fires_on_the_clock_and_the_window_end_cleans_up()
    {
        var clock = new Model.ManualClock(10_000);
        var windowed = WindowTest.Windowed(TumblingProcessingTimeWindows.Of(TimeSpan.FromSeconds(10))).Trigger(ContinuousProcessingTimeTrigger.Of(TimeSpan.FromSeconds(4)));
        var h = new WindowHarness<WindowResult<string, long>>(WindowTest.Count(windowed), clock);
        var window = new TimeWindow(10_000, 20_000);
        h.UntimedElement("a");      // aligned to the interval: the first firing is at 8000 + 4000
        h.ProcessingTime(11_999);
        Assert.Empty(h.Results);
        h.ProcessingTime(12_000);
        Assert.Equal([R("a", window, 1)], h.Results);
        h.UntimedElement("a");
        h.ProcessingTime(19_998);   // passes 16000
        Assert.Equal([R("a", window, 1), R("a", window, 2)], h.Results);
        h.ProcessingTime(19_999);   // 20000 is cut to the window's last millisecond
        Assert.Equal(3, h.Results.Count);
        h.ProcessingTime(30_000);
        Assert.Equal(3, h.Results.Count);
        Assert.Equal(0, ((WindowOperator<Ev, string, WindowResult<string, long>>)h.Operator).ProcessingTimeTimerCount);
    }

    [Fact]
    public void Processing_time_windows_fire_on_the_clock_past_their_end_and_what_is_open_fires_at_the_end_of_input()
    {
        var clock = new Model.ManualClock(0);
        var windowed = WindowTest.Windowed(SlidingProcessingTimeWindows.Of(TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(1)));
        var h = new WindowHarness<WindowResult<string, long>>(WindowTest.Count(windowed), clock);
        h.ProcessingTime(1_500);
        h.UntimedElement("a");   // [0, 2000) and [1000, 3000)
        h.ProcessingTime(1_998);
        Assert.Empty(h.Results);
        h.ProcessingTime(1_999);
        Assert.Equal([R("a", new TimeWindow(0, 2_000), 1)], h.Results);
        h.Operator.Finish();
        Assert.Equal([R("a", new TimeWindow(0, 2_000), 1), R("a", new TimeWindow(1_000, 3_000), 1)], h.Results);
    }

    [Fact]
    public void An_element_aware_trigger_sees_each_element_and_keeps_its_state_per_window()
    {
        var h = new WindowHarness<WindowResult<string, long>>(WindowTest.Sum(
            WindowTest.Windowed(TumblingEventTimeWindows.Of(TimeSpan.FromSeconds(10))).Trigger(new FireOnLargeValue(100))));
        h.Element("a", 1_000, 5);
        h.Element("a", 2_000, 150);    // fires and purges: 155
        h.Element("a", 12_000, 7);     // another window
        h.Element("a", 3_000, 1);
        h.Watermark(long.MaxValue);    // this trigger ignores time: nothing more fires, the cleanup drops what is left
        Assert.Equal([R("a", new TimeWindow(0, 10_000), 155)], h.Results);
    }

    [Fact]
    public void With_the_default_event_time_trigger_the_general_operator_gives_what_the_aligned_fast_operator_gives()
    {
        var random = new Random(3);
        var assigner = SlidingEventTimeWindows.Of(TimeSpan.FromMilliseconds(400), TimeSpan.FromMilliseconds(100));
        var fast = WindowTest.Windowed(assigner).AllowedLateness(TimeSpan.FromMilliseconds(150)).SideOutputLateData(WindowTest.LateTag);
        var general = fast.Trigger(EventTimeTrigger.Create());
        var a = CountOf(fast);
        var b = CountOf(general);
        Assert.IsType<EventTimeWindowOperator<Ev, string, long, long, WindowResult<string, long>>>(a.Operator);
        Assert.IsType<WindowOperator<Ev, string, WindowResult<string, long>>>(b.Operator);
        long max = 0;
        for (int i = 0; i < 2_000; i++)
        {
            long ts = i * 5 - random.Next(0, 600);
            string key = ((char)('a' + random.Next(4))).ToString();
            a.Element(key, ts);
            b.Element(key, ts);
            max = Math.Max(max, ts);
            if (i % 7 == 0)
            {
                a.Watermark(max - 50);
                b.Watermark(max - 50);
                Assert.Equal(Sorted(a.Results), Sorted(b.Results));
            }
        }

        a.Watermark(long.MaxValue);
        b.Watermark(long.MaxValue);
        Assert.Equal(Sorted(a.Results), Sorted(b.Results));
        Assert.Equal(a.Late.Values, b.Late.Values);
        Assert.NotEmpty(a.Late.Values);
    }

    private static List<WindowResult<string, long>> Sorted(List<WindowResult<string, long>> results)
        => results.OrderBy(r => r.Window.End).ThenBy(r => r.Key).ThenBy(r => r.Value).ToList();

    /// <summary>Fires and purges a window when an element's value reaches a threshold; counts nothing in time.</summary>
    private sealed class FireOnLargeValue(long threshold) : Trigger<Ev>
    {
        public override TriggerResult OnElement(Ev element, long timestamp, TimeWindow window, TriggerContext context)
            => element.Value >= threshold ? TriggerResult.FireAndPurge : TriggerResult.Continue;

        public override TriggerResult OnEventTime(long time, TimeWindow window, TriggerContext context) => TriggerResult.Continue;

        public override TriggerResult OnProcessingTime(long time, TimeWindow window, TriggerContext context) => TriggerResult.Continue;

        public override void Clear(TimeWindow window, TriggerContext context) { }
    }
}
