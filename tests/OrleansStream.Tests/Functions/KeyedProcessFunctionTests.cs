using OrleansStream.Functions;
using OrleansStream.Operators;
using OrleansStream.State;
using OrleansStream.Time;

namespace OrleansStream.Tests.Functions;

/// <summary>
/// Flink's "count with timeout" example: counts each key's elements and emits (key, count) once the key
/// has been quiet for <see cref="Gap"/> of event time, from an event-time timer.
/// </summary>
internal sealed class CountWithTimeout : KeyedProcessFunction<string, (string Key, long Ts), (string Key, long Count)>
{
    public const long Gap = 1_000;
    private IValueState<(long Count, long LastModified)> _state = null!;

    public override void Open(RuntimeContext context) => _state = context.State.GetValueState<(long, long)>("count");

    public override void ProcessElement((string Key, long Ts) value, KeyedProcessContext<string> context, ICollector<(string Key, long Count)> output)
    {
        var (count, last) = _state.TryGetValue(out var current) ? current : (0, long.MinValue);
        long timestamp = context.Timestamp!.Value;
        _state.Update((count + 1, Math.Max(last, timestamp)));
        context.TimerService.RegisterEventTimeTimer(Math.Max(last, timestamp) + Gap);
    }

    public override void OnTimer(long timestamp, OnTimerContext<string> context, ICollector<(string Key, long Count)> output)
    {
        if (_state.TryGetValue(out var current) && timestamp == current.LastModified + Gap)
        {
            output.Collect((context.CurrentKey, current.Count));
            _state.Clear();
        }
    }

    /// <summary>
    /// What the function emits, computed directly: <paramref name="watermarkAfter"/> gives the watermark that
    /// follows an element (by index), if any. A key's state is emitted and cleared once a watermark reaches
    /// its latest timestamp plus the gap.
    /// </summary>
    public static List<((string Key, long Count), long Time)> Expected(IReadOnlyList<(string Key, long Ts)> elements, Func<int, long?> watermarkAfter)
    {
        var state = new Dictionary<string, (long Count, long Latest)>();
        var result = new List<((string, long), long)>();
        for (int i = 0; i < elements.Count; i++)
        {
            var (key, ts) = elements[i];
            var (count, latest) = state.GetValueOrDefault(key, (0, long.MinValue));
            state[key] = (count + 1, Math.Max(latest, ts));
            if (watermarkAfter(i) is { } watermark)
            {
                foreach (var (due, entry) in state.Where(s => s.Value.Latest + Gap <= watermark).OrderBy(s => s.Value.Latest).ThenBy(s => s.Key, StringComparer.Ordinal).ToList())
                {
                    result.Add(((due, entry.Count), entry.Latest + Gap));
                    state.Remove(due);
                }
            }
        }

        return result;
    }
}

public class KeyedProcessFunctionTests
{
    private static OperatorHarness<(string Key, long Count)> CountWithTimeoutHarness(IReadOnlyList<KeyedStateChunk>? restore = null)
        => OperatorHarness<(string Key, long Count)>.OneInput(
            new KeyedProcessOperator<string, (string Key, long Ts), (string Key, long Count)>("count with timeout", e => e.Key, new CountWithTimeout()),
            restore: restore);

    [Fact]
    public void Event_time_timers_fire_in_time_order_when_the_watermark_reaches_them_and_stamp_their_output_with_their_time()
    {
        var harness = CountWithTimeoutHarness();
        var elements = new[] { ("a", 1_000L), ("b", 1_500L), ("a", 900L), ("c", 400L), ("b", 2_200L), ("a", 1_200L) };
        foreach (var (key, ts) in elements)
        {
            harness.Element((key, ts), ts);
        }

        harness.Watermark(2_199);   // c's timer is at 1400, a's at 2200, b's at 3200
        Assert.Equal(new[] { (("c", 1L), 1_400L) }, harness.Output.Records);
        harness.Watermark(2_200);   // a tie with a's timer fires it
        harness.Watermark(Watermark.EndOfTime);

        Assert.Equal(CountWithTimeout.Expected(elements, i => i == elements.Length - 1 ? Watermark.EndOfTime : null), harness.Output.Records);
        Assert.Equal(new[] { 2_199L, 2_200L, Watermark.EndOfTime }, harness.Output.Watermarks);
    }

    [Fact]
    public void A_timer_registered_twice_fires_once_and_a_deleted_timer_does_not_fire()
    {
        var fired = new List<(string Key, long Time)>();
        var function = new LambdaProcessFunction<string, string>(
            (value, context, _) =>
            {
                context.TimerService.RegisterEventTimeTimer(100);
                context.TimerService.RegisterEventTimeTimer(100);
                if (value == "b")
                {
                    context.TimerService.DeleteEventTimeTimer(100);
                }
            },
            (time, context, _) => fired.Add((context.CurrentKey, time)));
        var harness = OperatorHarness<string>.OneInput(new KeyedProcessOperator<string, string, string>("timers", v => v, function));
        harness.Element("a", 10);
        harness.Element("b", 10);
        harness.Watermark(1_000);
        Assert.Equal(new[] { ("a", 100L) }, fired);
    }

    [Fact]
    public void A_timer_set_while_firing_at_or_before_the_watermark_fires_in_the_same_pass()
    {
        var function = new LambdaProcessFunction<string, long>(
            (_, context, _) => context.TimerService.RegisterEventTimeTimer(10),
            (time, context, output) =>
            {
                output.Collect(time);
                if (time < 30)
                {
                    context.TimerService.RegisterEventTimeTimer(time + 10);
                }
            });
        var harness = OperatorHarness<long>.OneInput(new KeyedProcessOperator<string, string, long>("chain", v => v, function));
        harness.Element("a", 1);
        harness.Watermark(25);
        Assert.Equal(new[] { 10L, 20L }, harness.Output.Values);
        harness.Watermark(30);
        Assert.Equal(new[] { 10L, 20L, 30L }, harness.Output.Values);
    }

    [Fact]
    public void Processing_time_timers_fire_on_the_clock_with_their_key_and_their_output_has_no_timestamp()
    {
        var function = new LambdaProcessFunction<string, string>(
            (value, context, _) => context.TimerService.RegisterProcessingTimeTimer(context.TimerService.CurrentProcessingTime + 50),
            (time, context, output) =>
            {
                Assert.Equal(TimeDomain.ProcessingTime, context.TimeDomain);
                Assert.Equal(time, context.Timestamp);   // the timer's time, as Flink's OnTimerContext.timestamp()
                output.Collect($"{context.CurrentKey}@{time}");
            });
        var harness = OperatorHarness<string>.OneInput(new KeyedProcessOperator<string, string, string>("clock", v => v, function), now: 1_000);
        harness.Element("a", 5);
        harness.Clock.Now = 1_020;
        harness.Element("b", 6);
        harness.Tick(1_049);
        Assert.Empty(harness.Output.Records);
        harness.Tick(1_050);
        Assert.Equal(new[] { ("a@1050", Watermark.NoTimestamp) }, harness.Output.Records);
        harness.Tick(2_000);
        Assert.Equal(new[] { "a@1050", "b@1070" }, harness.Output.Values);
    }

    [Fact]
    public void Side_outputs_get_records_with_the_element_timestamp_and_the_main_output_is_untouched()
    {
        var rejected = new OutputTag<string>("rejected");
        var function = new LambdaProcessFunction<string, string>((value, context, output) =>
        {
            if (value.StartsWith('x'))
            {
                context.Output(rejected, value);
            }
            else
            {
                output.Collect(value.ToUpperInvariant());
            }
        });
        var probe = new SideOutputProbe<string>(rejected);
        var harness = OperatorHarness<string>.OneInput(new KeyedProcessOperator<string, string, string>("split", v => v, function), sides: probe);
        harness.Element("ab", 7);
        harness.Element("xy", 8);
        Assert.Equal(new[] { ("AB", 7L) }, harness.Output.Records);
        Assert.Equal(new[] { ("xy", 8L) }, probe.Collected.Records);
    }

    [Fact]
    public void State_and_timers_restored_from_a_snapshot_give_the_output_of_an_uninterrupted_run()
    {
        var random = new Random(7);
        var elements = Enumerable.Range(0, 400).Select(i => ($"k{random.Next(40)}", (long)(i * 37 + random.Next(-300, 300)))).ToList();
        long[] watermarks = [2_500, 5_500, 8_500, 11_500, Watermark.EndOfTime];

        var uninterrupted = CountWithTimeoutHarness();
        Run(uninterrupted, elements, watermarks, 0, elements.Count);

        var first = CountWithTimeoutHarness();
        Run(first, elements, watermarks, 0, 200);
        var restored = CountWithTimeoutHarness(first.Snapshot());
        Run(restored, elements, watermarks, 200, elements.Count);

        // Timers of equal time fire in no defined order (as in Flink): compare in (time, key) order.
        static IEnumerable<((string, long), long)> Ordered(IEnumerable<((string Key, long Count) Value, long Timestamp)> records)
            => records.OrderBy(r => r.Timestamp).ThenBy(r => r.Value.Key, StringComparer.Ordinal);

        Assert.Equal(Ordered(uninterrupted.Output.Records), Ordered(first.Output.Records.Concat(restored.Output.Records)));
        Assert.Equal(CountWithTimeout.Expected(elements, i => WatermarkAfter(i, watermarks)), Ordered(uninterrupted.Output.Records));
        Assert.NotEmpty(first.Output.Records);
        Assert.NotEmpty(restored.Output.Records);
    }

    [Fact]
    public void A_failing_timer_names_the_operator()
    {
        var function = new LambdaProcessFunction<string, string>(
            (_, context, _) => context.TimerService.RegisterEventTimeTimer(1),
            (_, _, _) => throw new InvalidOperationException("boom"));
        var harness = OperatorHarness<string>.OneInput(new KeyedProcessOperator<string, string, string>("alerts", v => v, function));
        harness.Element("a", 0);
        var error = Assert.Throws<OperatorException>(() => harness.Watermark(1));
        Assert.Equal("alerts", error.OperatorName);
        Assert.Contains("boom", error.Message);
    }

    /// <summary>Feeds elements [from, to) in order, with each watermark once the elements before its position have been fed.</summary>
    private static void Run(OperatorHarness<(string Key, long Count)> harness, List<(string Key, long Ts)> elements, long[] watermarks, int from, int to)
    {
        for (int i = from; i < to; i++)
        {
            harness.Element(elements[i], elements[i].Ts);
            if (WatermarkAfter(i, watermarks) is { } watermark)
            {
                harness.Watermark(watermark);
            }
        }
    }

    /// <summary>A watermark after every 80 elements.</summary>
    private static long? WatermarkAfter(int index, long[] watermarks)
        => (index + 1) % 80 == 0 && (index + 1) / 80 - 1 < watermarks.Length ? watermarks[(index + 1) / 80 - 1] : null;
}

/// <summary>A keyed process function from lambdas, for tests.</summary>
internal sealed class LambdaProcessFunction<TIn, TOut>(
    Action<TIn, KeyedProcessContext<string>, ICollector<TOut>> process,
    Action<long, OnTimerContext<string>, ICollector<TOut>>? onTimer = null) : KeyedProcessFunction<string, TIn, TOut>
{
    public override void ProcessElement(TIn value, KeyedProcessContext<string> context, ICollector<TOut> output) => process(value, context, output);

    public override void OnTimer(long timestamp, OnTimerContext<string> context, ICollector<TOut> output) => onTimer?.Invoke(timestamp, context, output);
}

public class ProcessFunctionTests
{
    private sealed class SplitByParity(OutputTag<long> odd) : ProcessFunction<long, string>
    {
        public override void ProcessElement(long value, ProcessContext context, ICollector<string> output)
        {
            if (value % 2 == 0)
            {
                output.Collect($"{value}@{context.Timestamp}/{context.CurrentWatermark}");
            }
            else
            {
                context.Output(odd, value);
            }
        }
    }

    [Fact]
    public void A_process_function_sees_the_timestamp_and_watermark_and_emits_to_side_outputs()
    {
        var odd = new OutputTag<long>("odd");
        var probe = new SideOutputProbe<long>(odd);
        var harness = OperatorHarness<string>.OneInput(new ProcessOperator<long, string>("split", new SplitByParity(odd)), sides: probe);
        harness.Element(2L, 20);
        harness.Watermark(15);
        harness.Element(3L, 30);
        harness.Element(4L, 40);
        Assert.Equal(new[] { ("2@20/" + long.MinValue, 20L), ("4@40/15", 40L) }, harness.Output.Records);
        Assert.Equal(new[] { (3L, 30L) }, probe.Collected.Records);
    }
}
