using OrleansStream.Api;
using OrleansStream.Connectors.Files;
using OrleansStream.Connectors.Generator;
using OrleansStream.Functions;
using OrleansStream.State;
using OrleansStream.Tests.Fixtures;
using OrleansStream.Time;

namespace OrleansStream.Tests.Functions;

/// <summary>
/// Payments checked against rules that arrive on a broadcast stream: a payment is judged by the newest
/// rule of its category in force at the payment's time. Payments wait in keyed state for an event-time
/// timer at their own time, so that every rule up to that time (the watermark covers both inputs) is in
/// the broadcast state. Alerts go to the two-phase-commit file sink as "payment,category,amount,rule".
/// A <see cref="SourceGate"/> (parameter "gate") holds both sources for the test.
/// </summary>
public sealed class BroadcastRulesJob : IStreamJob
{
    public const int Categories = 16;
    public const int RuleCount = 64;
    public static readonly MapStateDescriptor<int, Rule> Rules = new("rules");

    public void Build(StreamBuilder builder)
    {
        var parameters = builder.Parameters;
        long count = parameters.GetInt64("count", 0);
        builder.EnableCheckpointing(TimeSpan.FromMilliseconds(200));
        builder.RestartStrategy = RestartStrategy.FixedDelay(5, TimeSpan.FromMilliseconds(200));
        string? gate = parameters.Get(SourceGate.Parameter);

        var payments = builder.FromSource(
            GeneratorSource.FromIndex(i => PaymentOf(i, count), count).WithRateLimit(parameters.GetInt64("rate", 2_000)).GatedBy(gate),
            WatermarkStrategy<Payment>.ForMonotonousTimestamps().WithTimestampAssigner(p => p.Ts),
            "payments");
        var rules = builder.FromSource(
            GeneratorSource.FromIndex(r => RuleOf((int)r, count), RuleCount).WithRateLimit(parameters.GetInt64("rule-rate", 10)).GatedBy(gate),
            WatermarkStrategy<Rule>.ForMonotonousTimestamps().WithTimestampAssigner(r => r.EffectiveFrom),
            "rules").SetParallelism(2);

        payments.KeyBy(p => p.Category)
            .Connect(rules.Broadcast(Rules))
            .Process(new CheckAgainstRules(), "check").Uid("check")
            .SinkTo(FileSink.ForRowFormat<string>(parameters.GetRequired("output"), line => line), "committed alerts")
            .Uid("committed-alerts");
    }

    public static Payment PaymentOf(long i, long count) => new(i, (int)(i % Categories), i * 37 % 100, i * 2);

    public static Rule RuleOf(int r, long count) => new(r, r % Categories, r * 29 % 90, r * (count * 2 / RuleCount));

    /// <summary>The committed lines of a failure-free run, computed without the engine.</summary>
    public static List<string> Expected(long count)
    {
        var rules = Enumerable.Range(0, RuleCount).Select(r => RuleOf(r, count)).ToList();
        var lines = new List<string>();
        for (long i = 0; i < count; i++)
        {
            var payment = PaymentOf(i, count);
            var rule = rules.Where(r => r.Category == payment.Category && r.EffectiveFrom <= payment.Ts).MaxBy(r => r.EffectiveFrom);
            if (rule is not null && payment.Amount > rule.Threshold)
            {
                lines.Add($"{payment.Id},{payment.Category},{payment.Amount},{rule.Id}");
            }
        }

        lines.Sort(StringComparer.Ordinal);
        return lines;
    }

    public sealed record Payment(long Id, int Category, long Amount, long Ts);

    public sealed record Rule(int Id, int Category, long Threshold, long EffectiveFrom);

    private sealed class CheckAgainstRules : KeyedBroadcastProcessFunction<int, Payment, Rule, string>
    {
        private IMapState<long, Payment> _waiting = null!;

        public override void Open(RuntimeContext context) => _waiting = context.State.GetMapState<long, Payment>("waiting");

        public override void ProcessElement(Payment payment, KeyedReadOnlyBroadcastContext<int> context, ICollector<string> output)
        {
            _waiting.Put(payment.Ts, payment);
            context.TimerService.RegisterEventTimeTimer(payment.Ts);
        }

        public override void ProcessBroadcastElement(Rule rule, KeyedBroadcastContext<int> context, ICollector<string> output)
            => context.GetBroadcastState(Rules).Put(rule.Id, rule);

        public override void OnTimer(long timestamp, KeyedReadOnlyBroadcastContext<int> context, ICollector<string> output)
        {
            if (!_waiting.TryGetValue(timestamp, out var payment))
            {
                return;
            }

            _waiting.Remove(timestamp);
            var rule = context.GetBroadcastState(Rules).Entries
                .Select(e => e.Value)
                .Where(r => r.Category == payment.Category && r.EffectiveFrom <= payment.Ts)
                .MaxBy(r => r.EffectiveFrom);
            if (rule is not null && payment.Amount > rule.Threshold)
            {
                output.Collect($"{payment.Id},{payment.Category},{payment.Amount},{rule.Id}");
            }
        }
    }
}
