using OrleansStream.Api;
using OrleansStream.Connectors.Files;
using OrleansStream.Connectors.Generator;
using OrleansStream.Functions;
using OrleansStream.State;
using OrleansStream.Tests.Cluster;
using OrleansStream.Tests.Fixtures;
using OrleansStream.Time;

namespace OrleansStream.Tests.Functions;

/// <summary>
/// Orders from two sources (even and odd order numbers, unioned) are enriched with their customer's name by
/// a keyed co-process function (orders wait in map state until their customer arrives, from a slow third
/// source), then counted per customer and second of event time by a keyed process function with an
/// event-time timer at the end of each second. Every count goes to the two-phase-commit file sink as
/// "name,second,count", so a count lost, doubled or split by a failure shows in the committed lines.
/// A <see cref="SourceGate"/> (parameter "gate") holds all three sources for the test.
/// </summary>
public sealed class ProcessFunctionsJob : IStreamJob
{
    public const int Customers = 97;
    public const long OrderSpacingMillis = 10;

    public void Build(StreamBuilder builder)
    {
        var parameters = builder.Parameters;
        long count = parameters.GetInt64("count", 0);
        builder.EnableCheckpointing(TimeSpan.FromMilliseconds(parameters.GetInt64("checkpoint-ms", 200)));
        builder.RestartStrategy = RestartStrategy.FixedDelay(5, TimeSpan.FromMilliseconds(200));
        double rate = parameters.GetInt64("rate", 2_000);
        string poisonRun = parameters.Get("poison-run", "");
        long poison = parameters.GetInt64("poison", -1);
        string? gate = parameters.Get(SourceGate.Parameter);

        var orderTimes = WatermarkStrategy<Order>.ForMonotonousTimestamps().WithTimestampAssigner(o => o.Ts);
        var even = builder.FromSource(GeneratorSource.FromIndex(i => OrderOf(2 * i), (count + 1) / 2).WithRateLimit(rate / 2).GatedBy(gate), orderTimes, "even orders");
        var odd = builder.FromSource(GeneratorSource.FromIndex(i => OrderOf(2 * i + 1), count / 2).WithRateLimit(rate / 2).GatedBy(gate), orderTimes, "odd orders");

        // Customers all carry time 0: until the last has arrived the enrichment's watermark stays at 0, so
        // no second is counted before every order that belongs to it has been released.
        var customers = builder.FromSource(
            GeneratorSource.FromIndex(c => new Customer((int)c, $"c{c}"), Customers).WithRateLimit(parameters.GetInt64("customer-rate", 40)).GatedBy(gate),
            WatermarkStrategy<Customer>.ForMonotonousTimestamps().WithTimestampAssigner(_ => 0),
            "customers").SetParallelism(1);

        even.Union(odd)
            .Map(o => { PoisonOnce.Check(poisonRun, o.Id, poison); return o; }, "poison once")
            .Connect(customers)
            .KeyBy(o => o.Customer, c => c.Id)
            .Process(new EnrichWithName(), "enrich").Uid("enrich")
            .KeyBy(o => o.Name)
            .Process(new CountPerSecond(), "count per second").Uid("count-per-second")
            .SinkTo(FileSink.ForRowFormat<(string Name, long Second, long Count)>(parameters.GetRequired("output"), c => $"{c.Name},{c.Second},{c.Count}"), "committed counts")
            .Uid("committed-counts");
    }

    public static Order OrderOf(long id) => new(id, (int)(id % Customers), id * OrderSpacingMillis);

    /// <summary>The committed lines of a failure-free run, computed without the engine.</summary>
    public static List<string> Expected(long count)
    {
        var lines = Enumerable.Range(0, (int)count)
            .Select(i => OrderOf(i))
            .GroupBy(o => (Name: $"c{o.Customer}", Second: o.Ts / 1_000))
            .Select(g => $"{g.Key.Name},{g.Key.Second},{g.Count()}")
            .ToList();
        lines.Sort(StringComparer.Ordinal);
        return lines;
    }

    public sealed record Order(long Id, int Customer, long Ts);

    public sealed record Customer(int Id, string Name);

    public sealed record NamedOrder(long Id, string Name, long Ts);

    /// <summary>Orders wait in map state until their customer's name is known; both inputs share the customer's state.</summary>
    private sealed class EnrichWithName : KeyedCoProcessFunction<int, Order, Customer, NamedOrder>
    {
        private IValueState<string> _name = null!;
        private IMapState<long, long> _waiting = null!;

        public override void Open(RuntimeContext context)
        {
            _name = context.State.GetValueState<string>("name");
            _waiting = context.State.GetMapState<long, long>("waiting");
        }

        public override void ProcessElement1(Order order, KeyedProcessContext<int> context, ICollector<NamedOrder> output)
        {
            if (_name.TryGetValue(out var name))
            {
                output.Collect(new NamedOrder(order.Id, name, order.Ts));
            }
            else
            {
                _waiting.Put(order.Id, order.Ts);
            }
        }

        public override void ProcessElement2(Customer customer, KeyedProcessContext<int> context, ICollector<NamedOrder> output)
        {
            _name.Update(customer.Name);
            foreach (var (id, ts) in _waiting.Entries.ToList())
            {
                output.Collect(new NamedOrder(id, customer.Name, ts));
            }

            _waiting.Clear();
        }
    }

    /// <summary>Counts per second of event time in map state and emits each second's count from a timer at its last millisecond.</summary>
    private sealed class CountPerSecond : KeyedProcessFunction<string, NamedOrder, (string Name, long Second, long Count)>
    {
        private IMapState<long, long> _counts = null!;

        public override void Open(RuntimeContext context) => _counts = context.State.GetMapState<long, long>("counts");

        public override void ProcessElement(NamedOrder order, KeyedProcessContext<string> context, ICollector<(string Name, long Second, long Count)> output)
        {
            long second = order.Ts / 1_000;
            _counts.Put(second, (_counts.TryGetValue(second, out var count) ? count : 0) + 1);
            context.TimerService.RegisterEventTimeTimer(second * 1_000 + 999);
        }

        public override void OnTimer(long timestamp, OnTimerContext<string> context, ICollector<(string Name, long Second, long Count)> output)
        {
            long second = timestamp / 1_000;
            if (_counts.TryGetValue(second, out var count))
            {
                output.Collect((context.CurrentKey, second, count));
                _counts.Remove(second);
            }
        }
    }
}
