using OrleansStream.Api;
using OrleansStream.Checkpoints;
using OrleansStream.Graph;
using OrleansStream.Topology;

namespace OrleansStream.Tests.Topology;

/// <summary>What a topology builds: the same graph from YAML and JSON, on every build, with parameters substituted.</summary>
public sealed class TopologyGraphTests
{
    private const string Yaml = """
        name: shapes
        parallelism: 3
        checkpoints: { interval: "${every:-2s}", mode: at-least-once }
        steps:
          - name: lines
            type: source
            connector: file
            path: ${input}
            parallelism: 1
          - name: parse
            type: json
            fields:
              at: { type: timestamp, format: epoch-millis }
              user: { type: string, path: who.name }
              amount: double
          - name: big
            type: filter
            expression: amount > 10.5
          - name: enrich
            type: select
            fields:
              at: at
              user: user.ToUpperInvariant()
              cents: (long)(amount * 100)
          - name: timestamps
            type: watermarks
            timestamp: at
            outOfOrderness: 1s
          - name: per-user
            type: window
            keyBy: user
            window: sliding
            size: 10s
            slide: 5s
            aggregates: { n: count(), total: sum(cents), top: max(cents), mean: avg(cents) }
            parallelism: 2
          - name: out
            type: sink
            connector: file
            path: ${output:-out.txt}
        """;

    private const string Json = """
        {
          "name": "shapes",
          "parallelism": 3,
          "checkpoints": { "interval": "${every:-2s}", "mode": "at-least-once" },
          "steps": [
            { "name": "lines", "type": "source", "connector": "file", "path": "${input}", "parallelism": 1 },
            { "name": "parse", "type": "json", "fields": {
                "at": { "type": "timestamp", "format": "epoch-millis" },
                "user": { "type": "string", "path": "who.name" },
                "amount": "double" } },
            { "name": "big", "type": "filter", "expression": "amount > 10.5" },
            { "name": "enrich", "type": "select", "fields": { "at": "at", "user": "user.ToUpperInvariant()", "cents": "(long)(amount * 100)" } },
            { "name": "timestamps", "type": "watermarks", "timestamp": "at", "outOfOrderness": "1s" },
            { "name": "per-user", "type": "window", "keyBy": "user", "window": "sliding", "size": "10s", "slide": "5s",
              "aggregates": { "n": "count()", "total": "sum(cents)", "top": "max(cents)", "mean": "avg(cents)" }, "parallelism": 2 },
            { "name": "out", "type": "sink", "connector": "file", "path": "${output:-out.txt}" }
          ]
        }
        """;

    private static readonly Dictionary<string, string> Parameters = new() { ["input"] = "in.log", ["every"] = "750ms" };

    [Fact]
    public void YAML_and_JSON_forms_build_the_same_graph()
    {
        var fromYaml = Graph(Yaml, "shapes.yaml", Parameters);
        var fromJson = Graph(Json, "shapes.json", Parameters);

        Assert.Equal(Shape(fromYaml), Shape(fromJson));
        Assert.Equal(TimeSpan.FromMilliseconds(750), fromJson.Checkpointing.Interval);
        Assert.Equal(CheckpointingMode.AtLeastOnce, fromJson.Checkpointing.Mode);
    }

    [Fact]
    public void Every_build_gives_the_same_operator_names_and_uids_from_the_step_names()
    {
        var first = Graph(Yaml, "shapes.yaml", Parameters);
        var second = Graph(Yaml, "shapes.yaml", Parameters);

        Assert.Equal(Shape(first), Shape(second));
        var uids = first.Vertices.SelectMany(v => v.Operators).Select(o => o.Uid).ToList();
        Assert.Contains("parse", uids);
        Assert.Contains("per-user", uids);
        Assert.Contains("out", uids);
        Assert.Contains("timestamps", uids);
        Assert.Contains("parse-rejected", uids);
    }

    [Fact]
    public void Steps_keep_their_input_parallelism_windows_and_sinks_take_their_own_or_the_jobs()
    {
        var graph = Graph(Yaml, "shapes.yaml", Parameters);

        int ParallelismOf(string uid) => graph.Vertices.Single(v => v.Operators.Any(o => o.Uid == uid)).Parallelism;
        Assert.Equal(1, ParallelismOf("lines"));
        Assert.Equal(1, ParallelismOf("parse"));
        Assert.Equal(1, ParallelismOf("timestamps"));
        Assert.Equal(2, ParallelismOf("per-user"));
        Assert.Equal(1, ParallelismOf("out"));  // a single file: the sink requires 1
        Assert.Equal(3, ParallelismOf("parse-rejected"));
        Assert.Equal(graph.Vertices.Single(v => v.Operators.Any(o => o.Uid == "lines")), graph.Vertices.Single(v => v.Operators.Any(o => o.Uid == "enrich")));
    }

    [Fact]
    public void The_job_parallelism_of_the_file_wins_over_the_submits()
    {
        var graph = Graph(Yaml, "shapes.yaml", Parameters, submitParallelism: 5);

        Assert.Equal(3, graph.Vertices.Single(v => v.Operators.Any(o => o.Uid == "parse-rejected")).Parallelism);
    }

    [Fact]
    public void An_autoscaling_section_turns_the_autoscaler_on_with_its_settings()
    {
        const string text = """
            name: scaled
            autoscaling:
              targetUtilization: 0.6
              boundary: 0.1
              metricWindow: 20s
              stabilization: 0s
              catchUp: 2m
              scaleSources: false
              maxRescalesPerHour: 4
            steps:
              - { name: gen, type: source, connector: generator, line: '"x" + i' }
              - { name: parse, type: split, delimiter: ' ', fields: { word: string } }
              - { name: out, type: sink, connector: print }
            """;

        var autoscaling = Graph(text, "scaled.yaml", Parameters).Autoscaling;

        Assert.True(autoscaling.Enabled);
        Assert.Equal((0.6, 0.1), (autoscaling.TargetUtilization, autoscaling.UtilizationBoundary));
        Assert.Equal((TimeSpan.FromSeconds(20), TimeSpan.Zero, TimeSpan.FromMinutes(2)), (autoscaling.MetricWindow, autoscaling.Stabilization, autoscaling.CatchUpDuration));
        Assert.Equal((false, 4), (autoscaling.ScaleSources, autoscaling.MaxRescalesPerHour));
        Assert.False(Graph(Yaml, "shapes.yaml", Parameters).Autoscaling.Enabled);
    }

    [Theory]
    [InlineData("targetUtilization: 1.5", "expected a number from 0 to 1, got '1.5'")]
    [InlineData("boundary: 0.7", "the boundary must be below the target utilization (0.7)")]
    [InlineData("catchUp: 0s", "duration")]
    [InlineData("targetUtilisation: 0.5", "unknown key 'targetUtilisation'")]
    public void A_wrong_autoscaling_setting_names_its_line_and_field(string setting, string problem)
    {
        string text = $"""
            name: scaled
            autoscaling:
              {setting}
            steps:
              - {"{"} name: gen, type: source, connector: generator, line: '"x" + i' {"}"}
              - {"{"} name: out, type: sink, connector: print {"}"}
            """;

        var error = Assert.Throws<TopologyException>(() => Graph(text, "scaled.yaml", Parameters));

        Assert.Equal(3, error.Line);
        Assert.StartsWith("autoscaling.", error.Field);
        Assert.Contains(problem, error.Message);
    }

    [Fact]
    public void Parameters_replace_defaults_and_dollars_can_be_escaped()
    {
        const string text = """
            name: params
            steps:
              - { name: gen, type: source, connector: generator, count: "${count:-3}", line: '"$$" + i' }
              - { name: parse, type: regex, pattern: '^\$(?<n>\d+)$', fields: { n: long } }
              - { name: out, type: sink, connector: files, path: "${dir}/${file:-out}" }
            """;
        var document = TopologyDocument.Parse(text, "params.yaml");

        var builder = new StreamBuilder(new JobParameters(new Dictionary<string, string> { ["dir"] = "/tmp/x", ["count"] = "7" }));
        new TopologyJob(document).Build(builder);

        var sink = builder.Transformations.OfType<SinkTransformation<OrleansStream.Topology.Rows.Row>>().Single(t => t.Uid == "out");
        Assert.Equal("/tmp/x/out", Assert.IsType<OrleansStream.Connectors.Files.RowFormatFileSink<OrleansStream.Topology.Rows.Row>>(sink.Sink).Directory);
    }

    private static JobGraph Graph(string text, string fileName, Dictionary<string, string> parameters, int submitParallelism = 1)
    {
        var builder = new StreamBuilder(new JobParameters(parameters), submitParallelism) { JobName = "shapes" };
        new TopologyJob(TopologyDocument.Parse(text, fileName)).Build(builder);
        return builder.BuildGraph();
    }

    /// <summary>Vertices with their operators' names, uids and parallelism, and the edges with their partitioners.</summary>
    private static string Shape(JobGraph graph)
        => graph.Describe() + "\n" + string.Join("\n", graph.Vertices.Select(v => $"{v.Id}: {v.Parallelism} {string.Join(",", v.Operators.Select(o => $"{o.Name}#{o.Uid}"))}"))
            + "\n" + string.Join("\n", graph.Edges.Select(e => $"{e.Source.Id}->{e.Target.Id} {e.Partitioner} {e.SideOutput?.Uid}"));
}
