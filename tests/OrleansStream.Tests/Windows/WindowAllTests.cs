using OrleansStream.Api;
using OrleansStream.Connectors.Generator;
using OrleansStream.Functions;
using OrleansStream.Graph;
using OrleansStream.Windows;

namespace OrleansStream.Tests.Windows;

public class WindowAllTests
{
    private static DataStream<Ev> Events(StreamBuilder b) => b.FromSource(GeneratorSource.FromIndex(i => new Ev("k" + (i % 3), i, i), 10), "events");

    [Fact]
    public void WindowAll_runs_as_one_subtask_whatever_the_default_parallelism_and_refuses_another()
    {
        var b = new StreamBuilder(defaultParallelism: 4);
        Events(b).WindowAll(TumblingEventTimeWindows.Of(TimeSpan.FromSeconds(1))).Sum(e => e.Value, "total").SinkTo(new Cluster.CollectSink<long>(Guid.NewGuid().ToString()), "out");
        var graph = b.BuildGraph();
        var vertex = graph.Vertices.Single(v => v.Operators.Any(o => o.Name == "total"));
        Assert.Equal(1, vertex.Parallelism);

        var refused = new StreamBuilder(defaultParallelism: 4);
        Events(refused).WindowAll(GlobalWindows.Create()).Trigger(CountTrigger.Of(2)).Reduce((a, _) => a, "first").SetParallelism(2).SinkTo(new Cluster.CollectSink<Ev>(Guid.NewGuid().ToString()), "out");
        Assert.Contains("requires parallelism 1", Assert.Throws<JobGraphException>(() => refused.BuildGraph()).Message);
    }

    [Fact]
    public void WindowAll_aggregates_every_key_together_per_window()
    {
        var b = new StreamBuilder();
        var all = Events(b).WindowAll(TumblingEventTimeWindows.Of(TimeSpan.FromMilliseconds(4)));
        var h = Harness(all.Aggregate(AggregateFunction.Sum<Ev>(e => e.Value), (window, sum) => new WindowResult<string, long>("all", window, sum)));
        for (long i = 0; i < 10; i++)
        {
            h.Element("k" + (i % 3), i, i);
        }

        h.Watermark(long.MaxValue);
        Assert.Equal(
            [new("all", new TimeWindow(0, 4), 6), new("all", new TimeWindow(4, 8), 22), new WindowResult<string, long>("all", new TimeWindow(8, 12), 17)],
            h.Results);
    }

    [Fact]
    public void WindowAll_sessions_with_a_process_function_and_late_data_see_all_keys_in_one_session()
    {
        var b = new StreamBuilder();
        var all = Events(b).WindowAll(EventTimeSessionWindows.WithGap(TimeSpan.FromMilliseconds(5))).SideOutputLateData(WindowTest.LateTag);
        var h = Harness(all.Process(new Keys()));
        h.Element("x", 0, 0);
        h.Element("y", 3, 0);
        h.Element("z", 20, 0);
        h.Watermark(7);
        h.Element("w", 1, 0);   // its session [1, 6) is over: late
        h.Watermark(long.MaxValue);
        Assert.Equal(["[0, 8) x,y", "[20, 25) z"], h.Results);
        Assert.Equal(["w"], h.Late.Values.Select(e => e.Key));
    }

    private sealed class Keys : ProcessAllWindowFunction<Ev, string>
    {
        public override void Process(ProcessWindowContext context, IEnumerable<Ev> elements, ICollector<string> output)
            => output.Collect($"{context.Window} {string.Join(",", elements.Select(e => e.Key))}");
    }

    /// <summary>The operator of the last step of <paramref name="stream"/> (a WindowAll), driven by a harness.</summary>
    private static WindowHarness<TOut> Harness<TOut>(DataStream<TOut> stream)
    {
        var transformation = Assert.IsType<NonParallelKeyedTransformation<Ev, TOut>>(stream.Transformation);
        return new WindowHarness<TOut>(transformation.Factory);
    }
}
