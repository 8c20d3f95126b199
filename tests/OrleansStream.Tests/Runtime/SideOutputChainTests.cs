using OrleansStream.Api;
using OrleansStream.Connectors.Generator;
using OrleansStream.Connectors.Print;
using OrleansStream.Functions;
using OrleansStream.Graph;
using OrleansStream.Operators;
using OrleansStream.Runtime.Tasks;
using OrleansStream.Tests.Model;
using OrleansStream.Time;
using OrleansStream.Windows;

namespace OrleansStream.Tests.Runtime;

/// <summary>Side outputs in the job graph and in an assembled operator chain: chained readers, network edges, watermarks.</summary>
public class SideOutputChainTests
{
    private static readonly OutputTag<(string Ip, long Ts)> Late = new("late");

    /// <summary>Windows with a late side output: the main results leave over a rebalance edge, the late records are mapped in the chain and leave over another.</summary>
    private static JobGraph LateDataGraph(Action<DataStream<(string Ip, long Ts)>>? readLate = null)
    {
        var b = new StreamBuilder(defaultParallelism: 2);
        var counts = b.FromSource(GeneratorSource.FromIndex<(string Ip, long Ts)>(i => ($"ip{i % 3}", i * 1_000), 10), "visits")
            .AssignTimestampsAndWatermarks(WatermarkStrategy<(string Ip, long Ts)>.ForMonotonousTimestamps().WithTimestampAssigner(v => v.Ts))
            .KeyBy(v => v.Ip)
            .Window(TumblingEventTimeWindows.Of(TimeSpan.FromSeconds(10)))
            .AllowedLateness(TimeSpan.FromSeconds(2))
            .SideOutputLateData(Late)
            .Count("count");
        counts.SinkTo(new PrintSink<WindowResult<string, long>>(), "results").SetParallelism(1);
        var late = counts.GetSideOutput(Late);
        if (readLate is null)
        {
            late.Map(v => v.Ts, "late time").SinkTo(new PrintSink<long>(), "late times").SetParallelism(1);
        }
        else
        {
            readLate(late);
        }

        return b.BuildGraph();
    }

    [Fact]
    public void A_side_output_chains_like_any_forward_edge_and_crosses_the_network_with_its_tag()
    {
        var graph = LateDataGraph();

        Assert.Equal(["count", "late time"], graph.Vertices[1].Operators.Select(o => o.Name));
        var toResults = graph.Edges.Single(e => e.Target.Head.Name == "results");
        var toLateTimes = graph.Edges.Single(e => e.Target.Head.Name == "late times");
        Assert.Null(toResults.SideOutput);
        Assert.Null(toLateTimes.SideOutput);   // the map that reads the side output is chained; its own output crosses
        Assert.Contains("count -> late time", graph.Describe());

        var keyed = LateDataGraph(late => late.KeyBy(v => v.Ip).Reduce((a, b) => a, "latest late").SinkTo(new PrintSink<(string, long)>(), "latest"));
        var edge = keyed.Edges.Single(e => e.Target.Head.Name == "latest late");
        Assert.Equal(PartitionerKind.Hash, edge.Partitioner);
        Assert.Equal("late", Assert.IsType<SideOutputTransformation<(string Ip, long Ts)>>(edge.SideOutput).Tag.Id);
        Assert.Contains("(side output 'late')", keyed.Describe());
    }

    [Fact]
    public void Reading_one_tag_with_two_record_types_is_refused_naming_the_reader()
    {
        var b = new StreamBuilder(defaultParallelism: 2);
        var counts = b.FromSource(GeneratorSource.FromIndex<(string Ip, long Ts)>(i => ($"ip{i % 3}", i * 1_000), 10), "visits")
            .AssignTimestampsAndWatermarks(WatermarkStrategy<(string Ip, long Ts)>.ForMonotonousTimestamps().WithTimestampAssigner(v => v.Ts))
            .KeyBy(v => v.Ip)
            .Window(TumblingEventTimeWindows.Of(TimeSpan.FromSeconds(10)))
            .SideOutputLateData(Late)
            .Count("count");
        counts.GetSideOutput(Late).SinkTo(new PrintSink<(string, long)>(), "as visits");
        counts.GetSideOutput(new OutputTag<string>("late")).SinkTo(new PrintSink<string>(), "as text");

        var error = Assert.Throws<JobGraphException>(() => b.BuildGraph());
        Assert.Equal("as text", error.OperatorName);
        Assert.Contains("side output 'late' of 'count'", error.Message);
    }

    [Fact]
    public void Settings_that_make_no_sense_are_refused_where_they_are_made()
    {
        var b = new StreamBuilder();
        var keyed = b.FromSource(GeneratorSource.FromIndex(i => i, 10), "numbers").KeyBy(i => i % 2);
        Assert.Throws<ArgumentOutOfRangeException>(() => keyed.Window(TumblingEventTimeWindows.Of(TimeSpan.FromSeconds(1))).AllowedLateness(TimeSpan.FromSeconds(-1)));
        var processingTime = keyed.Window(TumblingProcessingTimeWindows.Of(TimeSpan.FromSeconds(1)));
        Assert.Contains("event-time windows only", Assert.Throws<InvalidOperationException>(() => processingTime.AllowedLateness(TimeSpan.FromSeconds(1))).Message);
        Assert.Contains("event-time windows only", Assert.Throws<InvalidOperationException>(() => processingTime.SideOutputLateData(new OutputTag<long>("late"))).Message);
        Assert.Contains("not one", Assert.Throws<InvalidOperationException>(() => keyed.GetSideOutput(new OutputTag<long>("late"))).Message);
        Assert.Throws<ArgumentException>(() => new OutputTag<long>(" "));
    }

    [Fact]
    public void In_the_assembled_chain_late_records_reach_the_chained_reader_and_watermarks_reach_every_output()
    {
        var graph = LateDataGraph();
        var network = new CollectingNetwork();
        var chain = OperatorChain.Create(graph.Vertices[1], network);
        chain.CreateContexts(node => new OperatorContext("job", 1, node.Name, 0, 2, graph.MaxParallelism, TimeProvider.System) { OperatorId = node.Uid });
        chain.Open();
        var input = (IOutput<(string Ip, long Ts)>)chain.Head;

        input.Collect(("ip1", 1_000), 1_000);
        chain.ProcessWatermark(12_000);   // fires [0, 10 s); its state goes at 11 999
        input.Collect(("ip1", 2_000), 2_000);
        input.Collect(("ip2", 22_000), 22_000);
        chain.ProcessWatermark(Watermark.EndOfTime);

        var results = network.Of<WindowResult<string, long>>("results");
        var lateTimes = network.Of<long>("late times");
        Assert.Equal([new WindowResult<string, long>("ip1", new TimeWindow(0, 10_000), 1), new WindowResult<string, long>("ip2", new TimeWindow(20_000, 30_000), 1)], results.Values);
        Assert.Equal([2_000L], lateTimes.Values);
        Assert.Equal([12_000, Watermark.EndOfTime], results.Watermarks);
        Assert.Equal([12_000, Watermark.EndOfTime], lateTimes.Watermarks);
    }
}
