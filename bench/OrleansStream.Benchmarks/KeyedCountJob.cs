using OrleansStream.Api;
using OrleansStream.Connectors.Generator;
using OrleansStream.Functions;
using OrleansStream.Samples.IpCount;

namespace OrleansStream.Benchmarks;

/// <summary>
/// The IP count's keyed part with state whose size the benchmark sets: visits from <c>keys</c>
/// distinct client IPs, keyed by IP, counted with a rolling count, so that the state holds every key
/// seen (an IP string and a long) instead of one window's worth. Unbounded unless <c>count</c> is set. Its sink counts keys seen for the
/// first time, which tells the benchmark when the state holds all of them. With <c>trickle</c> set,
/// the first <c>keys</c> records (each key once) come at full speed and the rest at that many records
/// per second, so that checkpoints of full state are measured while the job runs but does not saturate
/// the machine.
/// </summary>
public sealed class KeyedCountJob : IStreamJob
{
    public void Build(StreamBuilder builder)
    {
        var parameters = builder.Parameters;
        string run = parameters.GetRequired("run");
        long keys = parameters.GetInt64("keys", 100_000);
        double trickle = parameters.GetDouble("trickle", 0);
        double rate = parameters.GetDouble("rate", 0);
        if (parameters.GetInt64("checkpoint-ms", 0) is > 0 and var interval)
        {
            builder.EnableCheckpointing(TimeSpan.FromMilliseconds(interval));
        }

        if (parameters.GetInt64("restart-delay-ms", -1) is >= 0 and var delay)
        {
            builder.RestartStrategy = RestartStrategy.FixedDelay(100, TimeSpan.FromMilliseconds(delay));
        }

        long count = parameters.GetInt64("count", 0);
        var source = GeneratorSource.FromIndex(i => new Visit(BenchIps.Of(i % keys), i), count > 0 ? count : null);
        if (trickle > 0)
        {
            source = source.WithPacing(visit => TrickleAfterFill.NotBefore(run, visit.Timestamp, keys, trickle));
        }

        if (rate > 0)
        {
            source = source.WithRateLimit(rate);
        }

        builder.FromSource(source, "visits").Uid("visits")
            .KeyBy(visit => visit.Ip)
            .Aggregate(AggregateFunction.Count<Visit>(), "count").Uid("count")
            .SinkTo(new NewKeySink(run), "new keys").Uid("new-keys");
    }
}
