using OrleansStream.Api;
using OrleansStream.Operators;
using OrleansStream.Windows;

namespace OrleansStream.Tests.Windows;

public class SessionWindowTests
{
    private const long Gap = 10;

    private static WindowResult<string, long> R(string key, long start, long end, long value) => new(key, new TimeWindow(start, end), value);

    private static WindowHarness<WindowResult<string, long>> Sessions(TimeSpan lateness = default, Func<WindowedStream<Ev, string>, WindowedStream<Ev, string>>? configure = null)
    {
        var windowed = WindowTest.Windowed(EventTimeSessionWindows.WithGap(TimeSpan.FromMilliseconds(Gap)))
            .AllowedLateness(lateness).SideOutputLateData(WindowTest.LateTag);
        return new(WindowTest.Count(configure?.Invoke(windowed) ?? windowed));
    }

    [Fact]
    public void Session_windows_run_on_the_general_operator()
        => Assert.IsType<WindowOperator<Ev, string, WindowResult<string, long>>>(Sessions().Operator);

    [Fact]
    public void A_third_element_that_bridges_two_sessions_merges_them_into_one_with_all_three_counted()
    {
        var h = Sessions();
        h.Element("a", 0);    // [0, 10)
        h.Element("a", 15);   // [15, 25)
        h.Watermark(8);
        Assert.Empty(h.Results);
        h.Element("a", 8);    // [8, 18) overlaps both: [0, 25)
        h.Watermark(9);       // the first session alone would have fired here
        Assert.Empty(h.Results);
        h.Watermark(23);
        Assert.Empty(h.Results);
        h.Watermark(24);      // end - 1 of the merged session
        Assert.Equal([R("a", 0, 25, 3)], h.Results);
        Assert.Equal(24, h.Output.Records.Single().Timestamp);
    }

    [Fact]
    public void A_session_fires_on_a_watermark_equal_to_its_end_minus_one_and_not_on_end_minus_two()
    {
        var h = Sessions();
        h.Element("a", 100);
        h.Element("b", 103);
        h.Watermark(108);   // end - 2 of a's session [100, 110)
        Assert.Empty(h.Results);
        h.Watermark(109);   // end - 1
        Assert.Equal([R("a", 100, 110, 1)], h.Results);
        h.Watermark(112);
        Assert.Equal([R("a", 100, 110, 1), R("b", 103, 113, 1)], h.Results);
    }

    [Fact]
    public void Windows_that_touch_merge_as_in_flink_and_keys_keep_separate_sessions()
    {
        var h = Sessions();
        h.Element("a", 0);
        h.Element("a", 10);   // [10, 20) touches [0, 10)
        h.Element("b", 5);
        h.Element("a", 31);   // 31 > 20: a new session
        h.Watermark(long.MaxValue);
        Assert.Equal([R("a", 0, 20, 2), R("a", 31, 41, 1), R("b", 5, 15, 1)], h.Results.OrderBy(r => r.Key).ThenBy(r => r.Window.Start));
    }

    [Fact]
    public void A_late_element_within_the_lateness_that_extends_a_fired_session_fires_it_when_the_watermark_reaches_the_new_end()
    {
        var h = Sessions(TimeSpan.FromMilliseconds(5));
        h.Element("a", 0);
        h.Watermark(9);
        Assert.Equal([R("a", 0, 10, 1)], h.Results);
        h.Element("a", 3);    // [3, 13): the session becomes [0, 13), whose end is ahead of the watermark
        Assert.Single(h.Results);
        h.Watermark(12);
        Assert.Equal([R("a", 0, 10, 1), R("a", 0, 13, 2)], h.Results);
        h.Element("a", 1);    // [1, 11) inside the kept session: fires again at once
        Assert.Equal(R("a", 0, 13, 3), h.Results[^1]);
        h.Watermark(17);      // 12 + 5: the session is gone
        h.Element("a", 2);    // [2, 12): 11 + 5 <= 17, late
        Assert.Equal(3, h.Results.Count);
        Assert.Equal([new Ev("a", 2, 1)], h.Late.Values);
        Assert.Equal(0, ((WindowOperator<Ev, string, WindowResult<string, long>>)h.Operator).EventTimeTimerCount);
    }

    [Theory]
    [InlineData(1, 0)]
    [InlineData(2, 0)]
    [InlineData(3, 25)]
    [InlineData(4, 25)]
    [InlineData(5, 60)]
    public void Random_out_of_order_input_gives_exactly_the_reference_models_sessions_and_late_elements(int seed, long lateness)
    {
        var steps = SessionModel.RandomSteps(seed, 400, gap: 40);
        var (expected, expectedLate) = SessionModel.Run(steps, 40, lateness);
        var actual = RunSteps(() => SessionsWithGap(40, lateness), steps, restoreAt: null);

        Assert.Equal(expected.Select(Sorted), actual.Results.Select(Sorted));
        Assert.Equal(expectedLate, actual.Late);
    }

    [Theory]
    [InlineData(11, 0)]
    [InlineData(12, 30)]
    public void Session_merges_across_a_snapshot_and_restore_are_exactly_those_of_an_uninterrupted_run(int seed, long lateness)
    {
        var steps = SessionModel.RandomSteps(seed, 150, gap: 40);
        var uninterrupted = RunSteps(() => SessionsWithGap(40, lateness), steps, restoreAt: null);
        Assert.Equal(SessionModel.Run(steps, 40, lateness).ResultsPerStep.Select(Sorted), uninterrupted.Results.Select(Sorted));

        // Every point of the run, so that some snapshots hold sessions that the next element merges.
        for (int at = 1; at < steps.Count; at += 3)
        {
            var restored = RunSteps(() => SessionsWithGap(40, lateness), steps, restoreAt: at);
            Assert.Equal(uninterrupted.Results.Select(Sorted), restored.Results.Select(Sorted));
            Assert.Equal(uninterrupted.Late, restored.Late);
        }
    }

    [Theory]
    [InlineData(21, 2)]
    [InlineData(22, 3)]
    public void Sessions_restored_at_another_parallelism_go_on_exactly_as_an_uninterrupted_run(int seed, int parallelism)
    {
        var steps = SessionModel.RandomSteps(seed, 300, gap: 40, keys: 8);
        var uninterrupted = RunSteps(() => SessionsWithGap(40, 30), steps, restoreAt: null);
        int at = steps.Count / 2;
        var before = SessionsWithGap(40, 30);
        var results = new List<WindowResult<string, long>>();
        var late = new List<Ev>();
        long watermark = long.MinValue;
        for (int i = 0; i < at; i++)
        {
            Apply(before, steps[i]);
            watermark = steps[i].Key is null ? steps[i].Time : watermark;
        }

        results.AddRange(before.Results);
        late.AddRange(before.Late.Values);

        // Each new subtask takes the key groups it owns: open sessions, their merging bookkeeping, trigger timers.
        var subtasks = Enumerable.Range(0, parallelism).Select(s => before.RestoredAs(s, parallelism)).ToList();
        foreach (var subtask in subtasks)
        {
            subtask.Watermark(watermark);
        }

        for (int i = at; i < steps.Count; i++)
        {
            foreach (var subtask in subtasks.Where(s => steps[i].Key is not { } key || s.Owns(key)))
            {
                Apply(subtask, steps[i]);
            }
        }

        results.AddRange(subtasks.SelectMany(s => s.Results));
        Assert.Equal(Sorted(uninterrupted.Results.SelectMany(r => r).ToList()), Sorted(results));
        Assert.Equal(uninterrupted.Late.OrderBy(e => e.Key).ThenBy(e => e.Ts), late.Concat(subtasks.SelectMany(s => s.Late.Values)).OrderBy(e => e.Key).ThenBy(e => e.Ts));
        Assert.True(subtasks.Count(s => s.Results.Count > 0) >= 2, "the keys should be spread over the new subtasks");
    }

    [Fact]
    public void A_count_trigger_on_sessions_merges_the_counts_of_merged_sessions_and_survives_a_restore()
    {
        var windowed = WindowTest.Windowed(EventTimeSessionWindows.WithGap(TimeSpan.FromMilliseconds(Gap)))
            .Trigger(CountTrigger.Of(3));
        var h = new WindowHarness<WindowResult<string, long>>(WindowTest.Count(windowed));
        h.Element("a", 0);
        h.Element("a", 20);   // another session: the trigger counts 1 and 1
        h = h.Restored();
        h.Element("a", 10);   // bridges: the counts merge to 2, plus this element: 3, fire
        Assert.Equal([R("a", 0, 30, 3)], h.Results);
        h.Watermark(long.MaxValue);
        Assert.Single(h.Results);
    }

    [Fact]
    public void Dynamic_gaps_come_from_each_element()
    {
        var windowed = WindowTest.Windowed(EventTimeSessionWindows.WithDynamicGap<Ev>(e => TimeSpan.FromMilliseconds(e.Value)));
        var h = new WindowHarness<WindowResult<string, long>>(WindowTest.Sum(windowed));
        h.Element("a", 0, value: 50);    // [0, 50)
        h.Element("a", 45, value: 5);    // [45, 50): inside
        h.Element("a", 60, value: 10);   // [60, 70): apart
        h.Watermark(long.MaxValue);
        Assert.Equal([R("a", 0, 50, 55), R("a", 60, 70, 10)], h.Results);
    }

    [Fact]
    public void Processing_time_sessions_close_after_a_gap_of_the_clock_and_refuse_lateness_settings()
    {
        var windowed = WindowTest.Windowed(ProcessingTimeSessionWindows.WithGap(TimeSpan.FromMilliseconds(Gap)));
        var h = new WindowHarness<WindowResult<string, long>>(WindowTest.Count(windowed));
        h.ProcessingTime(1_000);
        h.UntimedElement("a");
        h.ProcessingTime(1_008);
        h.UntimedElement("a");   // [1008, 1018) merges: [1000, 1018)
        h.ProcessingTime(1_016);
        Assert.Empty(h.Results);
        h.ProcessingTime(1_017);
        Assert.Equal([R("a", 1_000, 1_018, 2)], h.Results);
        Assert.Contains("event-time windows only", Assert.Throws<InvalidOperationException>(() => windowed.AllowedLateness(TimeSpan.FromSeconds(1))).Message);
        Assert.Contains("event-time windows only", Assert.Throws<InvalidOperationException>(() => windowed.SideOutputLateData(WindowTest.LateTag)).Message);
    }

    [Fact]
    public void Sessions_refuse_an_evictor_and_a_trigger_that_cannot_merge()
    {
        var windowed = WindowTest.Windowed(EventTimeSessionWindows.WithGap(TimeSpan.FromSeconds(1)));
        Assert.Contains("evictor", Assert.Throws<InvalidOperationException>(() => windowed.Evictor(CountEvictor.Of(2))).Message);
        Assert.Contains("does not support merging", Assert.Throws<InvalidOperationException>(() => windowed.Trigger(new NonMergingTrigger())).Message);
    }

    private sealed class NonMergingTrigger : Trigger
    {
        public override TriggerResult OnElement(long timestamp, TimeWindow window, TriggerContext context) => TriggerResult.Fire;

        public override TriggerResult OnEventTime(long time, TimeWindow window, TriggerContext context) => TriggerResult.Continue;

        public override TriggerResult OnProcessingTime(long time, TimeWindow window, TriggerContext context) => TriggerResult.Continue;

        public override void Clear(TimeWindow window, TriggerContext context) { }
    }

    private static WindowHarness<WindowResult<string, long>> SessionsWithGap(long gap, long lateness)
    {
        var windowed = WindowTest.Windowed(EventTimeSessionWindows.WithGap(TimeSpan.FromMilliseconds(gap)))
            .AllowedLateness(TimeSpan.FromMilliseconds(lateness)).SideOutputLateData(WindowTest.LateTag);
        return new(WindowTest.Count(windowed));
    }

    /// <summary>Runs the steps, optionally replacing the operator by one restored from its snapshot before step <paramref name="restoreAt"/>; results per step.</summary>
    private static (List<WindowResult<string, long>>[] Results, List<Ev> Late) RunSteps(
        Func<WindowHarness<WindowResult<string, long>>> create, IReadOnlyList<Step> steps, int? restoreAt)
    {
        var h = create();
        var results = new List<WindowResult<string, long>>[steps.Count];
        var late = new List<Ev>();
        for (int i = 0; i < steps.Count; i++)
        {
            if (i == restoreAt)
            {
                late.AddRange(h.Late.Values);
                h = h.Restored();

                // The watermark is the input's, not state (as in Flink): the restored operator's input brings it again.
                var watermarks = steps.Take(i).Where(s => s.Key is null).ToList();
                if (watermarks.Count > 0)
                {
                    h.Watermark(watermarks[^1].Time);
                }
            }

            int before = h.Results.Count;
            Apply(h, steps[i]);

            results[i] = h.Results.Skip(before).ToList();
        }

        late.AddRange(h.Late.Values);
        return (results, late);
    }

    private static void Apply(WindowHarness<WindowResult<string, long>> h, Step step)
    {
        if (step.Key is { } key)
        {
            h.Element(key, step.Time);
        }
        else
        {
            h.Watermark(step.Time);
        }
    }

    private static List<WindowResult<string, long>> Sorted(List<WindowResult<string, long>> results)
        => results.OrderBy(r => r.Key).ThenBy(r => r.Window.Start).ThenBy(r => r.Window.End).ThenBy(r => r.Value).ToList();
}
