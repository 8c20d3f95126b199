using OrleansStream.Api;
using OrleansStream.Connectors.Generator;
using OrleansStream.Connectors.Print;
using OrleansStream.Contracts.Jobs;
using OrleansStream.Graph;
using OrleansStream.Runtime.Rescaling;
using OrleansStream.Tests.Connectors;

namespace OrleansStream.Tests.Rescaling;

/// <summary>The autoscaler's decisions from given metrics, on a clock the test moves.</summary>
public class AutoscalerTests
{
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.UnixEpoch);
    private JobGraph _graph = null!;
    private Autoscaler _autoscaler = null!;

    public AutoscalerTests() => Start(sourceParallelism: 1);

    private void Start(int sourceParallelism)
    {
        var builder = new StreamBuilder(defaultParallelism: 1);
        builder.FromSource(GeneratorSource.FromIndex(i => i, null), "readings").SetParallelism(sourceParallelism)
            .KeyBy(i => i % 16)
            .Reduce((a, b) => a + b, "sum")
            .SinkTo(new PrintSink<long>(), "print");
        builder.Autoscaling.Enabled = true;
        builder.Autoscaling.TargetUtilization = 0.5;
        builder.Autoscaling.UtilizationBoundary = 0.2;
        builder.Autoscaling.MetricWindow = TimeSpan.FromSeconds(2);
        builder.Autoscaling.Stabilization = TimeSpan.Zero;
        builder.Autoscaling.CatchUpDuration = TimeSpan.FromSeconds(10);
        _graph = builder.BuildGraph();
        _autoscaler = new Autoscaler(_graph.Autoscaling, _clock);
    }

    private JobVertex Source => _graph.Vertices.Single(v => v.IsSource);

    private JobVertex Sum => _graph.Vertices.Single(v => !v.IsSource);

    [Fact]
    public void A_source_falling_behind_gets_the_readers_that_work_its_backlog_off_in_the_catch_up_time_but_no_more_than_its_splits()
    {
        // 500 read a second by one reader busy all the time, and the backlog still grows by 100 a second.
        ObserveWindow(busy: 990, rate: 500, pending: (20_000, 20_200), splits: 4);

        // (600 arriving + 20,200 / 10 s) / (505 per reader * 0.5) = 10.3 readers; the source has 4 splits.
        var decision = _autoscaler.Decide(_graph);

        Assert.NotNull(decision);
        Assert.Equal(4, decision.Vertices[Source.Name]);
        Assert.False(decision.Vertices.ContainsKey(Sum.Name));
        Assert.Contains("readings pending 20,200 records (+100/s), reads 500/s busy 990 ms/s", decision.Reason);
        Assert.Contains("1 -> 4", decision.Reason);
    }

    [Fact]
    public void A_source_that_keeps_up_within_the_band_is_left_alone_and_one_that_cannot_tell_its_backlog_too()
    {
        ObserveWindow(busy: 550, rate: 500, pending: (10, 5), splits: 4);
        Assert.Null(_autoscaler.Decide(_graph));

        _autoscaler.OnChanged(rescaled: false);
        ObserveWindow(busy: 990, rate: 500, pending: (null, null), splits: 4);
        Assert.Null(_autoscaler.Decide(_graph));
    }

    [Fact]
    public void A_source_with_nothing_pending_and_little_to_do_is_scaled_down()
    {
        Start(sourceParallelism: 4);
        ObserveWindow(busy: 100, rate: 200, pending: (0, 0), splits: 4);

        // 200 a second at 500 per busy reader (200 / 4 / 0.1): one reader is busy 0.4 of the time.
        var decision = _autoscaler.Decide(_graph);

        Assert.NotNull(decision);
        Assert.Equal(1, decision.Vertices[Source.Name]);
    }

    /// <summary>A full metric window: a sample now and one 2 s later, the backlog going from the first to the second of <paramref name="pending"/>.</summary>
    private void ObserveWindow(double busy, double rate, (long? First, long? Last) pending, int splits)
    {
        Observe(busy, rate, pending.First, splits);
        _clock.Advance(TimeSpan.FromSeconds(2));
        Observe(busy, rate, pending.Last, splits);
    }

    private void Observe(double busy, double rate, long? pending, int splits)
        => _autoscaler.Observe(
        [
            new VertexStatus(Source.Id, Source.Name, Source.Parallelism, [], 0, [new OperatorMetrics("readings", 0, 0, 0, rate)], Time: new TaskTimeMetrics(busy, 0, 1000 - busy),
                Backlog: new SourceBacklogMetrics(pending, null, splits)),
            new VertexStatus(Sum.Id, Sum.Name, 1, [], 0, [new OperatorMetrics("sum", 0, 0, rate, rate)], Time: new TaskTimeMetrics(500, 0, 500)),
        ]);
}
