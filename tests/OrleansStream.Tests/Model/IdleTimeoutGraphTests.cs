using OrleansStream.Api;
using OrleansStream.Connectors.Discard;
using OrleansStream.Connectors.Generator;
using OrleansStream.Connectors.RateLimit;
using OrleansStream.Connectors.Redis;
using OrleansStream.Connectors.Sockets;
using OrleansStream.Graph;
using OrleansStream.Topology;

namespace OrleansStream.Tests.Model;

/// <summary>What a job needs for an idle timeout: checkpoints to wake from, and sources that never end and can be watched.</summary>
public sealed class IdleTimeoutGraphTests
{
    private const string Redis = "localhost:6379";

    [Fact]
    public void A_job_on_a_redis_stream_with_checkpoints_can_idle_and_watches_every_source_also_behind_a_rate_limit()
    {
        var builder = Builder(TimeSpan.FromSeconds(30));
        var first = builder.FromSource(RedisStreamSource.Strings(Redis, "a"), "first");
        var second = builder.FromSource(new RateLimitedSource<string>(RedisStreamSource.Strings(Redis, "b", "c"), 100), "second");
        first.Union(second).SinkTo(new DiscardingSink<string>(), "out");

        var graph = builder.BuildGraph();

        Assert.Equal(TimeSpan.FromSeconds(30), graph.IdleTimeout);
        Assert.Equal(["first", "second"], graph.WatchableSources().Select(s => s.Vertex.Head.Name));
    }

    [Fact]
    public void A_socket_source_cannot_be_watched_so_the_job_cannot_idle()
    {
        var builder = Builder(TimeSpan.FromSeconds(30));
        builder.FromSource(new SocketTextSource("localhost", 9999), "lines").SinkTo(new DiscardingSink<string>(), "out");

        var error = Assert.Throws<JobGraphException>(() => builder.BuildGraph());

        Assert.Contains("Source 'lines'", error.Message);
        Assert.Contains("cannot be watched", error.Message);
    }

    [Fact]
    public void A_generator_behind_a_rate_limit_cannot_be_watched_either()
    {
        var builder = Builder(TimeSpan.FromSeconds(30));
        builder.FromSource(new RateLimitedSource<long>(GeneratorSource.FromIndex(i => i), 10), "numbers").SinkTo(new DiscardingSink<long>(), "out");

        Assert.Contains("Source 'numbers'", Assert.Throws<JobGraphException>(() => builder.BuildGraph()).Message);
    }

    [Fact]
    public void A_bounded_source_ends_the_job_so_it_cannot_idle()
    {
        var builder = Builder(TimeSpan.FromSeconds(30));
        builder.FromSource(RedisStreamSource.Strings(Redis, "a").AsBounded(), "batch").SinkTo(new DiscardingSink<string>(), "out");

        Assert.Contains("Source 'batch' is bounded", Assert.Throws<JobGraphException>(() => builder.BuildGraph()).Message);
    }

    [Fact]
    public void Without_checkpoints_there_is_nothing_to_wake_from()
    {
        var builder = new StreamBuilder { IdleTimeout = TimeSpan.FromSeconds(30) };
        builder.FromSource(RedisStreamSource.Strings(Redis, "a"), "stream").SinkTo(new DiscardingSink<string>(), "out");

        Assert.Contains("needs checkpointing", Assert.Throws<JobGraphException>(() => builder.BuildGraph()).Message);
    }

    [Fact]
    public void A_topology_sets_the_idle_timeout_and_names_a_bad_one()
    {
        const string text = """
            name: sleepy
            idleTimeout: 45s
            checkpoints: { interval: 1s }
            steps:
              - { name: in, type: source, connector: redis, connection: "localhost:6379", streams: [events], rate: 50 }
              - { name: parse, type: split, delimiter: ' ', fields: { word: string } }
              - { name: out, type: sink, connector: discard }
            """;

        Assert.Equal(TimeSpan.FromSeconds(45), Build(text).IdleTimeout);

        var error = Assert.Throws<TopologyException>(() => Build(text.Replace("45s", "soon")));
        Assert.Equal((2, "idleTimeout"), (error.Line, error.Field));
    }

    private static StreamBuilder Builder(TimeSpan idleTimeout)
    {
        var builder = new StreamBuilder { IdleTimeout = idleTimeout };
        builder.EnableCheckpointing(TimeSpan.FromSeconds(1));
        return builder;
    }

    private static JobGraph Build(string topology)
    {
        var builder = new StreamBuilder();
        new TopologyJob(TopologyDocument.Parse(topology, "sleepy.yaml")).Build(builder);
        return builder.BuildGraph();
    }
}
