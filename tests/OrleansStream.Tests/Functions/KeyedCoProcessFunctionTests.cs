using OrleansStream.Functions;
using OrleansStream.Operators;
using OrleansStream.State;
using OrleansStream.Time;

namespace OrleansStream.Tests.Functions;

/// <summary>
/// Orders enriched with their customer's name, whichever arrives first (Flink's classic keyed co-process
/// join): orders wait in list state for the customer; an order still unmatched when the watermark passes its
/// time plus <see cref="Patience"/> goes to the side output <see cref="Unmatched"/>.
/// </summary>
internal sealed class EnrichOrders : KeyedCoProcessFunction<int, (int Customer, int Order, long Ts), (int Customer, string Name), (int Order, string Name)>
{
    public const long Patience = 1_000;
    public static readonly OutputTag<int> Unmatched = new("unmatched");
    private IValueState<string> _name = null!;
    private IMapState<int, long> _waiting = null!;

    public override void Open(RuntimeContext context)
    {
        _name = context.State.GetValueState<string>("name");
        _waiting = context.State.GetMapState<int, long>("waiting");
    }

    public override void ProcessElement1((int Customer, int Order, long Ts) order, KeyedProcessContext<int> context, ICollector<(int Order, string Name)> output)
    {
        if (_name.TryGetValue(out var name))
        {
            output.Collect((order.Order, name));
            return;
        }

        _waiting.Put(order.Order, order.Ts + Patience);
        context.TimerService.RegisterEventTimeTimer(order.Ts + Patience);
    }

    public override void ProcessElement2((int Customer, string Name) customer, KeyedProcessContext<int> context, ICollector<(int Order, string Name)> output)
    {
        _name.Update(customer.Name);
        foreach (var (order, deadline) in _waiting.Entries.OrderBy(e => e.Key).ToList())
        {
            output.Collect((order, customer.Name));
            context.TimerService.DeleteEventTimeTimer(deadline);
        }

        _waiting.Clear();
    }

    public override void OnTimer(long timestamp, OnTimerContext<int> context, ICollector<(int Order, string Name)> output)
    {
        foreach (var (order, deadline) in _waiting.Entries.Where(e => e.Value == timestamp).OrderBy(e => e.Key).ToList())
        {
            context.Output(Unmatched, order);
            _waiting.Remove(order);
        }
    }
}

public class KeyedCoProcessFunctionTests
{
    [Fact]
    public void Both_inputs_share_the_keys_state_and_timers()
    {
        var unmatched = new SideOutputProbe<int>(EnrichOrders.Unmatched);
        var harness = OperatorHarness<(int Order, string Name)>.TwoInput(
            new KeyedCoProcessOperator<int, (int Customer, int Order, long Ts), (int Customer, string Name), (int Order, string Name)>(
                "enrich", o => o.Customer, c => c.Customer, new EnrichOrders()),
            sides: unmatched);
        void Order(int customer, int order, long ts) => harness.Element1<(int, int, long), (int, string)>((customer, order, ts), ts);
        void Customer(int customer, string name, long ts) => harness.Element2<(int, int, long), (int, string)>((customer, name), ts);

        Order(1, 100, 10);
        Order(2, 200, 20);
        Order(1, 101, 30);
        Customer(1, "ada", 40);          // releases 100 and 101, deletes their timers
        Order(1, 102, 50);               // matched at once
        Order(3, 300, 60);
        harness.Watermark(1_019);        // 200's deadline is 1020: not yet
        Assert.Empty(unmatched.Collected.Records);
        harness.Watermark(1_020);
        Customer(2, "bob", 1_100);       // too late for 200: it already went to the side output
        Customer(3, "cy", 1_100);        // in time for 300 (deadline 1060 not reached: watermark is 1020)
        harness.Watermark(Watermark.EndOfTime);

        Assert.Equal(new[] { (100, "ada"), (101, "ada"), (102, "ada"), (300, "cy") }, harness.Output.Values);
        Assert.Equal(new[] { (200, 1_020L) }, unmatched.Collected.Records);
        Assert.Equal(new[] { 40L, 40L, 50L, 1_100L }, harness.Output.Records.Select(r => r.Timestamp));
    }
}
