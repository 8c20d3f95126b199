using OrleansStream.Api;
using OrleansStream.Api.Connectors;
using OrleansStream.Graph;
using OrleansStream.Time;
using OrleansStream.Windows;

namespace OrleansStream.Tests.Model;

public class JobGraphTranslatorTests
{
    private sealed class FakeSource(int? maxParallelism = null) : ISource<long>
    {
        public bool IsBounded => true;

        public int? MaxParallelism => maxParallelism;

        public ISplitSerializer SplitSerializer => throw new NotSupportedException();

        public IReadOnlyList<SourceSplit> CreateSplits(int parallelism) => Array.Empty<SourceSplit>();

        public ISourceReader<long> CreateReader(SourceReaderContext context) => throw new NotSupportedException();
    }

    private sealed class FakeSink<T>(int? required = null) : ISink<T>
    {
        public int? RequiredParallelism => required;

        public ISinkWriter<T> CreateWriter(SinkContext context) => throw new NotSupportedException();
    }

    [Fact]
    public void One_to_one_steps_of_equal_parallelism_chain_and_key_by_starts_a_new_vertex()
    {
        var b = new StreamBuilder(defaultParallelism: 4);
        b.FromSource(new FakeSource(), WatermarkStrategy<long>.ForMonotonousTimestamps().WithTimestampAssigner(x => x), "numbers")
            .Map(x => x * 2, "double")
            .Filter(x => x > 0, "positive")
            .KeyBy(x => x % 10)
            .Window(TumblingEventTimeWindows.Of(TimeSpan.FromSeconds(1)))
            .Count("count")
            .SinkTo(new FakeSink<WindowResult<long, long>>(), "out");
        var graph = b.BuildGraph();

        Assert.Equal(2, graph.Vertices.Count);
        Assert.Equal(new[] { "numbers", "Timestamps/Watermarks", "double", "positive" }, graph.Vertices[0].Operators.Select(o => o.Name));
        Assert.Equal(new[] { "count", "out" }, graph.Vertices[1].Operators.Select(o => o.Name));
        var edge = Assert.Single(graph.Edges);
        Assert.Equal(PartitionerKind.Hash, edge.Partitioner);
        Assert.NotNull(edge.KeyHash);
        Assert.Equal(4, graph.RequiredSlots);
        Assert.Equal(128, graph.MaxParallelism);
    }

    [Fact]
    public void Different_parallelism_breaks_the_chain_with_rebalance_and_a_single_file_sink_gets_parallelism_one()
    {
        var b = new StreamBuilder(defaultParallelism: 3);
        var mapped = b.FromSource(new FakeSource(), "numbers").Map(x => x + 1, "inc").SetParallelism(2);
        mapped.SinkTo(new FakeSink<long>(required: 1), "single");
        mapped.SinkTo(new FakeSink<long>(), "parallel").SetParallelism(2);
        var graph = b.BuildGraph();

        Assert.Equal(new[] { 3, 2, 1 }, graph.Vertices.Select(v => v.Parallelism));
        Assert.Equal(new[] { "inc", "parallel" }, graph.Vertices[1].Operators.Select(o => o.Name));
        Assert.All(graph.Edges, e => Assert.Equal(PartitionerKind.Rebalance, e.Partitioner));
        Assert.Equal(2, graph.Edges.Count);
        Assert.Equal(3, graph.RequiredSlots);
    }

    [Fact]
    public void Fan_out_chains_both_branches_into_the_same_vertex()
    {
        var b = new StreamBuilder(defaultParallelism: 2);
        var source = b.FromSource(new FakeSource(), "numbers");
        source.Filter(x => x % 2 == 0, "even").SinkTo(new FakeSink<long>(), "evens");
        source.Filter(x => x % 2 == 1, "odd").SinkTo(new FakeSink<long>(), "odds");
        var graph = b.BuildGraph();
        var vertex = Assert.Single(graph.Vertices);
        Assert.Equal(5, vertex.Operators.Count);
        Assert.Empty(graph.Edges);
    }

    [Fact]
    public void Explicit_partitioners_are_kept()
    {
        var b = new StreamBuilder(defaultParallelism: 2);
        var source = b.FromSource(new FakeSource(), "numbers");
        source.Broadcast().Map(x => x, "all").SinkTo(new FakeSink<long>(), "a");
        source.Rebalance().Map(x => x, "spread").SinkTo(new FakeSink<long>(), "b");
        var graph = b.BuildGraph();
        Assert.Equal(new[] { PartitionerKind.Broadcast, PartitionerKind.Rebalance }, graph.Edges.Select(e => e.Partitioner));
        Assert.Equal(new[] { 0, 1 }, graph.Edges[0].SendersOf(0));
    }

    [Fact]
    public void Forward_between_different_parallelism_is_refused_naming_the_operator()
    {
        var b = new StreamBuilder(defaultParallelism: 2);
        b.FromSource(new FakeSource(), "numbers").Forward().Map(x => x, "narrow").SetParallelism(1).SinkTo(new FakeSink<long>());
        var error = Assert.Throws<JobGraphException>(() => b.BuildGraph());
        Assert.Equal("narrow", error.OperatorName);
        Assert.Contains("forward", error.Message);
    }

    [Fact]
    public void Parallelism_above_max_parallelism_is_refused_naming_the_operator()
    {
        var b = new StreamBuilder(defaultParallelism: 2) { MaxParallelism = 8 };
        b.FromSource(new FakeSource(), "numbers").Map(x => x, "wide").SetParallelism(9).SinkTo(new FakeSink<long>());
        var error = Assert.Throws<JobGraphException>(() => b.BuildGraph());
        Assert.Equal("wide", error.OperatorName);
        Assert.Contains("max parallelism", error.Message);
    }

    [Fact]
    public void A_non_parallel_source_is_capped_and_an_explicit_excess_is_refused()
    {
        var b = new StreamBuilder(defaultParallelism: 4);
        b.FromSource(new FakeSource(maxParallelism: 1), "socket").SinkTo(new FakeSink<long>());
        Assert.Equal(new[] { 1, 4 }, b.BuildGraph().Vertices.Select(v => v.Parallelism));

        var bad = new StreamBuilder(defaultParallelism: 4);
        bad.FromSource(new FakeSource(maxParallelism: 1), "socket").SetParallelism(2).SinkTo(new FakeSink<long>());
        Assert.Equal("socket", Assert.Throws<JobGraphException>(() => bad.BuildGraph()).OperatorName);
    }

    [Fact]
    public void A_job_without_sink_is_refused()
    {
        var b = new StreamBuilder();
        b.FromSource(new FakeSource(), "numbers").Map(x => x);
        Assert.Contains("no sink", Assert.Throws<JobGraphException>(() => b.BuildGraph()).Message);
    }

    [Fact]
    public void Translation_is_deterministic()
    {
        static JobGraph Build()
        {
            var b = new StreamBuilder(defaultParallelism: 3);
            b.FromSource(new FakeSource(), "numbers").KeyBy(x => x).Reduce((x, y) => x + y).SinkTo(new FakeSink<long>());
            return b.BuildGraph();
        }

        Assert.Equal(Build().Describe(), Build().Describe());
    }
}

public class SlotSharingTests
{
    [Fact]
    public void Slot_sharing_groups_do_not_share_slots_and_break_chains()
    {
        var b = new StreamBuilder(defaultParallelism: 2);
        b.FromSource(OrleansStream.Connectors.Generator.GeneratorSource.FromIndex(i => i, 10), "numbers")
            .Map(x => x, "inc")
            .SlotSharingGroup("other")
            .Map(x => x, "after")
            .SinkTo(new OrleansStream.Connectors.Print.PrintSink<long>(), "out");
        var graph = b.BuildGraph();

        Assert.Equal(2, graph.Vertices.Count);
        Assert.Equal(new[] { "inc", "after", "out" }, graph.Vertices[1].Operators.Select(o => o.Name));
        Assert.Equal(4, graph.RequiredSlots);
        Assert.Equal(new[] { 0, 1 }, Enumerable.Range(0, 2).Select(i => graph.SlotOf(graph.Vertices[0], i)));
        Assert.Equal(new[] { 2, 3 }, Enumerable.Range(0, 2).Select(i => graph.SlotOf(graph.Vertices[1], i)));
    }
}
