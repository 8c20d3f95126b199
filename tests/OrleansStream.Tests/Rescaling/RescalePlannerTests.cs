using OrleansStream.Api;
using OrleansStream.Connectors.Generator;
using OrleansStream.Connectors.Print;
using OrleansStream.Graph;
using OrleansStream.Runtime.Rescaling;

namespace OrleansStream.Tests.Rescaling;

/// <summary>Which vertices change parallelism live, and why the others restart, by what they read.</summary>
public sealed class RescalePlannerTests
{
    private readonly JobGraph _graph;

    public RescalePlannerTests()
    {
        var builder = new StreamBuilder(defaultParallelism: 2);
        var numbers = builder.FromSource(GeneratorSource.FromIndex(i => i, null), "numbers");
        numbers.Rebalance().Map(i => i + 1, "spread").SinkTo(new PrintSink<long>(), "spread out");
        numbers.KeyBy(i => i % 16).Reduce((a, b) => a + b, "sum").SinkTo(new PrintSink<long>(), "sum out");
        numbers.Broadcast().Map(i => i * 2, "everywhere").SinkTo(new PrintSink<long>(), "everywhere out");
        _graph = builder.BuildGraph();
    }

    [Theory]
    [InlineData("numbers")]
    [InlineData("spread")]
    [InlineData("sum")]
    public void Sources_keyed_vertices_and_vertices_that_read_round_robin_rescale_live(string head)
        => Assert.Null(RescalePlanner.WhyNotLive(Vertex(head)));

    [Fact]
    public void A_vertex_with_broadcast_input_restarts_and_the_reason_names_it_and_its_input()
        => Assert.Equal("'everywhere -> Sink: everywhere out' reads 'Source: numbers' by Broadcast, not by key or round robin", RescalePlanner.WhyNotLive(Vertex("everywhere")));

    [Fact]
    public void A_keyed_vertex_whose_broadcast_input_comes_from_a_source_rescales_live()
    {
        var builder = new StreamBuilder(new JobParameters(new Dictionary<string, string> { ["output"] = "alerts", ["count"] = "100" }));
        new Functions.BroadcastRulesJob().Build(builder);

        Assert.Null(RescalePlanner.WhyNotLive(builder.BuildGraph().Vertices.Single(v => v.Head.Name == "check")));
    }

    private JobVertex Vertex(string head) => _graph.Vertices.Single(v => v.Head.Name == head);
}
