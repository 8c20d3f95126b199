using OrleansStream.Api;
using OrleansStream.Connectors.Generator;
using OrleansStream.Connectors.Print;
using OrleansStream.Functions;
using OrleansStream.Graph;
using OrleansStream.State;

namespace OrleansStream.Tests.Model;

/// <summary>How union, connect and broadcast streams become vertices and edges.</summary>
public class MultiInputGraphTests
{
    private static DataStream<long> Numbers(StreamBuilder b, string name, long count = 10) => b.FromSource(GeneratorSource.FromIndex(i => i, count), name);

    [Fact]
    public void A_union_gives_the_reader_one_edge_per_input_each_its_own_channel_group()
    {
        var b = new StreamBuilder(defaultParallelism: 2);
        var a = Numbers(b, "a");
        var c = Numbers(b, "c").Map(x => x + 1, "inc");
        a.Union(c, Numbers(b, "d").KeyBy(x => x).Map(x => x, "keyed map"))
            .Map(x => x * 2, "double")
            .SinkTo(new PrintSink<long>(), "print");
        var graph = b.BuildGraph();

        var reader = graph.Vertices.Single(v => v.Head.Name == "double");
        Assert.Equal(3, reader.Inputs.Count);
        Assert.Equal(new[] { 0, 1, 2 }, reader.Inputs.Select(e => e.TargetInput).Order());
        Assert.All(reader.Inputs, e => Assert.Equal(0, e.LogicalInput));
        Assert.Equal(new[] { "a", "inc", "keyed map" }, reader.Inputs.Select(e => e.SourceOperator.Name).Order(StringComparer.Ordinal));
        Assert.Equal(PartitionerKind.Forward, reader.Inputs.Single(e => e.SourceOperator.Name == "a").Partitioner);
    }

    [Fact]
    public void A_key_by_after_a_union_partitions_every_input_by_key()
    {
        var b = new StreamBuilder(defaultParallelism: 2);
        Numbers(b, "a").Union(Numbers(b, "c"))
            .KeyBy(x => x % 3)
            .Reduce((x, y) => x + y, "sum")
            .SinkTo(new PrintSink<long>(), "print");
        var sum = b.BuildGraph().Vertices.Single(v => v.Head.Name == "sum");
        Assert.Equal(2, sum.Inputs.Count);
        Assert.All(sum.Inputs, e => Assert.Equal(PartitionerKind.Hash, e.Partitioner));
    }

    [Fact]
    public void Connected_streams_feed_the_two_inputs_of_an_operator_that_heads_its_own_vertex()
    {
        var b = new StreamBuilder(defaultParallelism: 2);
        Numbers(b, "a").Connect(Numbers(b, "c").Map(x => x.ToString(), "text"))
            .Map(x => x, s => long.Parse(s), "co-map")
            .SinkTo(new PrintSink<long>(), "print");
        var graph = b.BuildGraph();
        var coMap = graph.Vertices.Single(v => v.Head.Name == "co-map");
        Assert.Equal(new[] { ("a", 0), ("text", 1) }, coMap.Inputs.Select(e => (e.SourceOperator.Name, e.LogicalInput)).OrderBy(e => e.Item2));
        Assert.All(coMap.Inputs, e => Assert.Equal(PartitionerKind.Forward, e.Partitioner));
    }

    [Fact]
    public void A_keyed_two_input_operator_whose_keyed_input_is_not_keyed_is_refused_naming_the_input()
    {
        // The public API keys what it must; the translator still checks, as a job graph may be built otherwise.
        var b = new StreamBuilder(defaultParallelism: 2);
        var rules = Numbers(b, "rules").Broadcast(new MapStateDescriptor<long, long>("rules"));
        var unkeyed = new KeyedStream<long, long>(b, Numbers(b, "events").Transformation, x => x);
        unkeyed.Connect(rules).Process(new NoopBroadcast(), "check").SinkTo(new PrintSink<long>(), "print");

        var error = Assert.Throws<JobGraphException>(() => b.BuildGraph());
        Assert.Contains("'check'", error.Message);
        Assert.Contains("input 1 ('events')", error.Message);
    }

    private sealed class NoopBroadcast : KeyedBroadcastProcessFunction<long, long, long, long>
    {
        public override void ProcessElement(long value, KeyedReadOnlyBroadcastContext<long> context, ICollector<long> output) { }

        public override void ProcessBroadcastElement(long value, KeyedBroadcastContext<long> context, ICollector<long> output) { }
    }

    [Fact]
    public void A_broadcast_input_of_a_keyed_operator_is_broadcast_and_its_state_is_restored_whole_to_every_subtask()
    {
        var b = new StreamBuilder(defaultParallelism: 3);
        var rules = Numbers(b, "rules").SetParallelism(2).Broadcast(new MapStateDescriptor<long, long>("rules"));
        Numbers(b, "events").KeyBy(x => x).Connect(rules).Process(new NoopBroadcast(), "check").SinkTo(new PrintSink<long>(), "print");
        var check = b.BuildGraph().Vertices.Single(v => v.Head.Name == "check");
        Assert.Equal(new[] { PartitionerKind.Hash, PartitionerKind.Broadcast }, check.Inputs.OrderBy(e => e.LogicalInput).Select(e => e.Partitioner));
        Assert.Equal(OperatorStateDistribution.Union, check.Head.OperatorStateDistribution);
    }

    [Fact]
    public void The_parallelism_of_a_source_with_watermarks_is_the_sources_and_its_assigner_stays_chained_to_it()
    {
        var b = new StreamBuilder(defaultParallelism: 3);
        var strategy = Time.WatermarkStrategy<long>.ForMonotonousTimestamps().WithTimestampAssigner(x => x);
        b.FromSource(GeneratorSource.FromIndex(i => i, 10), strategy, "rules").SetParallelism(2)
            .SinkTo(new PrintSink<long>(), "print");
        var graph = b.BuildGraph();

        var source = graph.Vertices.Single(v => v.IsSource);
        Assert.Equal(2, source.Parallelism);
        Assert.Equal(new[] { "rules", "Timestamps/Watermarks" }, source.Operators.Select(o => o.Name));
    }
}
