using OrleansStream.Functions;
using OrleansStream.Operators;
using OrleansStream.State;

namespace OrleansStream.Tests.Functions;

/// <summary>Alerts on amounts above the threshold of their category's rule; rules come on the broadcast input.</summary>
internal sealed class ThresholdAlerts : KeyedBroadcastProcessFunction<string, (string Category, long Amount), (string Category, long Threshold), string>
{
    public static readonly MapStateDescriptor<string, long> Rules = new("rules");
    private IValueState<long> _alerts = null!;

    public override void Open(RuntimeContext context) => _alerts = context.State.GetValueState<long>("alerts");

    public override void ProcessElement((string Category, long Amount) value, KeyedReadOnlyBroadcastContext<string> context, ICollector<string> output)
    {
        if (context.GetBroadcastState(Rules).TryGetValue(value.Category, out var threshold) && value.Amount > threshold)
        {
            _alerts.Update(_alerts.Value + 1);
            output.Collect($"{value.Category}:{value.Amount}>{threshold} #{_alerts.Value}");
        }
    }

    public override void ProcessBroadcastElement((string Category, long Threshold) rule, KeyedBroadcastContext<string> context, ICollector<string> output)
    {
        context.GetBroadcastState(Rules).Put(rule.Category, rule.Threshold);

        // A new rule starts its category's alert count afresh.
        context.ApplyToKeyedState("alerts", key =>
        {
            if (key == rule.Category)
            {
                _alerts.Clear();
            }
        });
    }
}

public class BroadcastStateTests
{
    private static OperatorHarness<string> Harness(IReadOnlyList<KeyedStateChunk>? keyed = null, IReadOnlyList<byte[]>? broadcast = null, int subtask = 0, int parallelism = 1)
        => OperatorHarness<string>.TwoInput(
            new KeyedBroadcastProcessOperator<string, (string Category, long Amount), (string Category, long Threshold), string>(
                "alerts", e => e.Category, new ThresholdAlerts(), [ThresholdAlerts.Rules]),
            now: 0, keyed, broadcast, subtask, parallelism);

    private static void Event(OperatorHarness<string> harness, string category, long amount)
        => harness.Element1<(string, long), (string, long)>((category, amount), 1);

    private static void Rule(OperatorHarness<string> harness, string category, long threshold)
        => harness.Element2<(string, long), (string, long)>((category, threshold), 1);

    [Fact]
    public void The_keyed_side_reads_the_rules_the_broadcast_side_wrote_and_a_rule_can_reset_every_keys_state()
    {
        var harness = Harness();
        Event(harness, "books", 100);      // no rule yet
        Rule(harness, "books", 50);
        Event(harness, "books", 40);
        Event(harness, "books", 60);
        Event(harness, "games", 999);      // no rule for games
        Event(harness, "books", 70);
        Rule(harness, "books", 65);        // resets the books count
        Event(harness, "books", 70);
        Assert.Equal(new[] { "books:60>50 #1", "books:70>50 #2", "books:70>65 #1" }, harness.Output.Values);
    }

    [Fact]
    public void Broadcast_state_is_restored_on_every_subtask_of_a_rescaled_job()
    {
        var old = Harness(subtask: 0, parallelism: 2);
        Rule(old, "books", 50);
        Rule(old, "games", 10);
        var items = old.SnapshotOperatorState().Concat(old.SnapshotOperatorState()).ToList();   // two old subtasks, equal copies

        for (int subtask = 0; subtask < 3; subtask++)
        {
            var restored = Harness(broadcast: items, subtask: subtask, parallelism: 3);
            Event(restored, "games", 11);
            Event(restored, "books", 50);
            Assert.Equal(new[] { "games:11>10 #1" }, restored.Output.Values);
        }
    }

    [Fact]
    public void Asking_for_an_undeclared_broadcast_state_names_it_and_the_declared_ones()
    {
        var set = new BroadcastStateSet("alerts", [ThresholdAlerts.Rules]);
        var error = Assert.Throws<InvalidOperationException>(() => set.Get(new MapStateDescriptor<string, long>("rulez")));
        Assert.Contains("'rulez'", error.Message);
        Assert.Contains("'rules'", error.Message);
        Assert.Contains("'alerts'", error.Message);
    }

    [Fact]
    public void A_restored_state_no_one_asked_for_is_carried_into_the_next_snapshot()
    {
        var first = new BroadcastStateSet("op", [ThresholdAlerts.Rules]);
        first.Get(ThresholdAlerts.Rules).Put("books", 5);
        var second = new BroadcastStateSet("op", [ThresholdAlerts.Rules]);
        second.Restore([first.Snapshot()], 0);
        var third = new BroadcastStateSet("op", [ThresholdAlerts.Rules]);
        third.Restore([second.Snapshot()], 0);
        Assert.True(third.Get(ThresholdAlerts.Rules).TryGetValue("books", out var threshold));
        Assert.Equal(5, threshold);
    }
}

public class ApplyToKeyedStateTests
{
    [Fact]
    public void Applying_to_a_restored_state_no_one_asked_for_yet_is_an_error_that_says_to_ask_in_open()
    {
        var original = new OperatorStateStore("op", 128, new KeyGroups.KeyGroupRange(0, 127));
        var backend = original.GetKeyedStateBackend<string>();
        backend.SetCurrentKey("a");
        backend.GetValueState<long>("count").Update(1);
        var snapshot = new KeyedSnapshotBuilder();
        original.SnapshotKeyedState(snapshot);

        var restored = new OperatorStateStore("op", 128, new KeyGroups.KeyGroupRange(0, 127));
        foreach (var chunk in snapshot.Build(1 << 16))
        {
            KeyedSnapshotBuilder.Restore(chunk.Data, _ => restored);
        }

        var restoredBackend = restored.GetKeyedStateBackend<string>();
        var error = Assert.Throws<InvalidOperationException>(() => restoredBackend.ApplyToAllKeys("count", _ => { }));
        Assert.Contains("'count'", error.Message);
        Assert.Contains("Open", error.Message);

        restoredBackend.GetValueState<long>("count");
        var keys = new List<string>();
        restoredBackend.ApplyToAllKeys("count", keys.Add);
        Assert.Equal(["a"], keys);
    }
}
