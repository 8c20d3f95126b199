using System.Globalization;
using OrleansStream.Api;
using OrleansStream.Connectors.Files;
using OrleansStream.Contracts.Jobs;
using OrleansStream.Nexmark;
using OrleansStream.Nexmark.Formats;
using OrleansStream.Nexmark.Generator;
using OrleansStream.Nexmark.Model;
using OrleansStream.Nexmark.Queries;
using OrleansStream.Tests.Cluster;
using OrleansStream.Tests.Connectors;
using OrleansStream.Tests.Fixtures;

namespace OrleansStream.Tests.Nexmark;

/// <summary>
/// q5 with checkpoints every 300 ms, a rate-limited generator (so that several checkpoints happen) and one
/// transient fault: the job restarts from its last checkpoint and the committed output is still exactly q5's.
/// </summary>
public sealed class CheckpointedQ5Job : IStreamJob
{
    /// <summary>
    /// The events of a checkpointed Nexmark job with one transient fault: checkpoints every 300 ms, a rate-limited
    /// generator at parallelism 2 held by the job's <see cref="SourceGate"/> ("gate"), and a step that throws once at
    /// the event of index "poison-index".
    /// </summary>
    public static DataStream<NexmarkEvent> FaultyEvents(StreamBuilder builder)
    {
        var parameters = builder.Parameters;
        builder.EnableCheckpointing(TimeSpan.FromMilliseconds(300));
        builder.RestartStrategy = RestartStrategy.FixedDelay(3, TimeSpan.FromMilliseconds(200));
        var config = new NexmarkConfig { Seed = parameters.GetInt64("seed", 0), EventsPerSecond = parameters.GetInt64("event-rate", 500) };
        var source = new NexmarkSource(config, parameters.GetInt64("events", 0), parameters.GetDouble("rate", 0));
        string run = parameters.GetRequired("run");
        long poison = config.TimestampOf(parameters.GetInt64("poison-index", -1));
        return builder.FromSource(source.GatedBy(parameters.Get(SourceGate.Parameter)), "nexmark events").SetParallelism(2).Uid("nexmark-source")
            .Map(e =>
            {
                PoisonOnce.Check(run, e.DateTime, poison);
                return e;
            }, "transient fault").SetParallelism(2);
    }

    public void Build(StreamBuilder builder)
    {
        var parameters = builder.Parameters;
        var events = CheckpointedQ5Job.FaultyEvents(builder);
        NexmarkQueries.Q5(events)
            .SinkTo(FileSink.ForRowFormat<AuctionCount>(parameters.GetRequired("output"), NexmarkCsv.Q5), "results")
            .Uid("results");
    }
}

/// <summary>
/// q4 with checkpoints every 300 ms, a rate-limited generator and one transient fault, like <see cref="CheckpointedQ5Job"/>:
/// the winning bids wait in keyed state with their timers across the restart, and every committed category update
/// must be there exactly once.
/// </summary>
public sealed class CheckpointedQ4Job : IStreamJob
{
    public void Build(StreamBuilder builder)
    {
        var parameters = builder.Parameters;
        var events = CheckpointedQ5Job.FaultyEvents(builder);
        NexmarkJoinQueries.Q4(events)
            .SinkTo(FileSink.ForRowFormat<CategoryAverage>(parameters.GetRequired("output"), NexmarkCsv.Q4), "results")
            .Uid("results");
    }
}

[Collection(ClusterCollection.Name)]
public sealed class NexmarkQueryClusterTests(ClusterFixture fixture)
{
    private const long Events = 30_000;
    private const long Seed = 42;

    // 500 events per second of event time: 30,000 events span 60 s, so q5 has about 30 windows and q7 six.
    private static readonly NexmarkConfig Config = new() { Seed = Seed, EventsPerSecond = 500 };

    [Theory]
    [InlineData("q0")]
    [InlineData("q1")]
    [InlineData("q2")]
    [InlineData("q3")]
    [InlineData("q4")]
    [InlineData("q5")]
    [InlineData("q7")]
    [InlineData("q8")]
    public async Task A_query_on_generated_events_equals_the_single_threaded_reference(string query)
    {
        using var directory = new TempDirectory();
        string output = directory.Combine($"{query}.csv");

        var status = await RunAsync<NexmarkJob>(3, new()
        {
            ["query"] = query,
            ["events"] = Invariant(Events),
            ["seed"] = Invariant(Seed),
            ["event-rate"] = "500",
            ["source-parallelism"] = "2",
            ["output"] = output,
        });

        Assert.True(status.State == JobState.Finished, $"{status.State}: {status.Failure}");
        var expected = NexmarkReference.For(query, Generated(Events));
        Assert.True(expected.Count >= MinimumResults(query), $"{query} has only {expected.Count} results on these events: too few to test it");
        Assert.Equal(expected, Results(query, output));
    }

    [Theory]
    [InlineData("q3")]
    [InlineData("q4")]
    [InlineData("q5")]
    [InlineData("q7")]
    [InlineData("q8")]
    public async Task A_query_on_an_out_of_order_file_with_malformed_lines_equals_the_reference_and_reports_the_lines(string query)
    {
        using var directory = new TempDirectory();
        string input = directory.Combine("events.jsonl");
        string output = directory.Combine($"{query}.csv");
        string rejected = directory.Combine("rejected.txt");
        var events = Generated(20_000);

        // Shuffled within blocks of 1,000 events (2 s of event time), well inside the 5 s out-of-orderness bound.
        var random = new Random(5);
        var shuffled = events.Chunk(1_000).SelectMany(block => block.OrderBy(_ => random.Next())).ToList();
        Assert.NotEqual(events, shuffled);
        var lines = shuffled.Select(NexmarkJson.Format).ToList();
        lines.Insert(4, "{\"type\":\"bid\",\"auction\":");            // line 5
        lines.Insert(1_233, "{\"type\":\"bid\",\"auction\":\"x\"}");    // line 1234
        lines.Insert(15_000, "not json at all");                        // line 15001
        await File.WriteAllLinesAsync(input, lines);

        var status = await RunAsync<NexmarkJob>(3, new()
        {
            ["query"] = query,
            ["source"] = "file",
            ["input"] = input,
            ["output"] = output,
            ["rejected"] = rejected,
            ["source-parallelism"] = "2",
        });

        Assert.True(status.State == JobState.Finished, $"{status.State}: {status.Failure}");
        Assert.Equal(NexmarkReference.For(query, events), Results(query, output));
        var reported = SortedLines(rejected);
        Assert.Equal(3, reported.Count);
        Assert.StartsWith($"{input}:1234: field \"auction\" must be an integer", reported[0]);
        Assert.StartsWith($"{input}:15001: ", reported[1]);
        Assert.StartsWith($"{input}:5: invalid JSON", reported[2]);
        Assert.Equal(3, status.RecordsOf(NexmarkJob.RejectedSinkName));
    }

    [Fact]
    public async Task Q5_with_checkpoints_and_a_restart_from_one_commits_exactly_the_reference()
    {
        using var directory = new TempDirectory();
        var committed = await RunThroughOneFaultAsync<CheckpointedQ5Job>(directory.Combine("q5"));

        Assert.Equal(NexmarkReference.Q5(Generated(20_000)), committed);
    }

    [Fact]
    public async Task Q4_with_checkpoints_and_a_restart_from_one_commits_every_category_update_exactly_once()
    {
        using var directory = new TempDirectory();
        var committed = (await RunThroughOneFaultAsync<CheckpointedQ4Job>(directory.Combine("q4"))).Select(Q4Update.Parse).ToList();
        var events = Generated(20_000);
        Assert.Equal(NexmarkReference.Q4(events), Q4Final(committed.Select(u => u.Line)));

        // The order in which a category's winning prices arrive depends on timing, but exactly once means its
        // updates count 1, 2, ... N with none missing or repeated, and the steps of their sums are its winning prices.
        var winning = NexmarkReference.Q4WinningPrices(events).ToLookup(w => w.Category, w => w.Price);
        foreach (var category in committed.GroupBy(u => u.Category))
        {
            var updates = category.OrderBy(u => u.Count).ToList();
            Assert.Equal(Enumerable.Range(1, updates.Count).Select(i => (long)i), updates.Select(u => u.Count));
            var steps = updates.Select((u, i) => u.Sum - (i == 0 ? 0 : updates[i - 1].Sum)).Order().ToList();
            Assert.Equal(winning[category.Key].Order(), steps);
        }
    }

    /// <summary>
    /// Runs a checkpointed job on 20,000 events with one transient fault at event 14,001, which the source reaches only
    /// once the test has seen a checkpoint of the events before it; checks that the job restarted from a checkpoint
    /// and finished, and returns its committed lines, sorted.
    /// </summary>
    private async Task<List<string>> RunThroughOneFaultAsync<TJob>(string output)
        where TJob : IStreamJob, new()
    {
        // Two readers of at most 5,000 events each: events 0 to 9,999 until the gate opens.
        using var gate = SourceGate.Create(budget: 5_000);
        var submitted = await fixture.Jobs.SubmitAsync(JobSubmission.For<TJob>(3, new Dictionary<string, string>
        {
            ["seed"] = Invariant(Seed),
            ["events"] = "20000",
            ["rate"] = "5000",
            ["poison-index"] = "14001",
            ["run"] = Guid.NewGuid().ToString(),
            ["output"] = output,
            [SourceGate.Parameter] = gate.Path,
        }));
        var watch = JobWatch.Of(fixture.Jobs, submitted.JobId, gate: gate);
        await watch.WaitUntilCheckpointedAfterInputAsync("nexmark events");
        gate.Open();

        var status = await watch.WaitForEndAsync();

        Assert.True(status.State == JobState.Finished, $"{status.State}: {status.Failure}");
        Assert.True(status.Checkpoints.Restarts >= 1, "the transient fault restarted the job");
        Assert.True(status.Checkpoints.Completed >= 2, $"checkpoints completed: {status.Checkpoints.Completed}");
        watch.AssertRestartedAndRestored(status);
        return RollingCountJob.Committed(output);
    }

    private async Task<JobStatus> RunAsync<TJob>(int parallelism, Dictionary<string, string> parameters) where TJob : IStreamJob, new()
    {
        var status = await fixture.Jobs.SubmitAsync(JobSubmission.For<TJob>(parallelism, parameters));
        return await JobWatch.Of(fixture.Jobs, status.JobId).WaitForEndAsync();
    }

    private static List<NexmarkEvent> Generated(long count)
    {
        var generator = new NexmarkGenerator(Config);
        var events = new List<NexmarkEvent>((int)count);
        for (long i = 0; i < count; i++)
        {
            events.Add(generator.Generate(i));
        }

        return events;
    }

    /// <summary>The fewest results a query must have on the test's events for the comparison to mean something.</summary>
    private static int MinimumResults(string query) => query switch
    {
        "q4" => 5, // every category
        "q3" or "q8" => 100,
        _ => 1,
    };

    /// <summary>What a run's output must equal its reference by: its sorted lines, or for q4's changelog its final update per category.</summary>
    private static List<string> Results(string query, string path) => query == "q4" ? Q4Final(File.ReadAllLines(path)) : SortedLines(path);

    /// <summary>q4's final state: per category, the update with the highest count (counts only grow).</summary>
    private static List<string> Q4Final(IEnumerable<string> lines)
    {
        var final = lines.Select(Q4Update.Parse).GroupBy(u => u.Category).Select(c => c.MaxBy(u => u.Count)!.Line).ToList();
        final.Sort(StringComparer.Ordinal);
        return final;
    }

    private static List<string> SortedLines(string path)
    {
        var lines = File.ReadAllLines(path).ToList();
        lines.Sort(StringComparer.Ordinal);
        return lines;
    }

    private static string Invariant(long value) => value.ToString(CultureInfo.InvariantCulture);
}

/// <summary>One q4 output line, <c>category,average,count,sum</c>.</summary>
internal sealed record Q4Update(long Category, long Average, long Count, long Sum, string Line)
{
    public static Q4Update Parse(string line)
    {
        var fields = line.Split(',').Select(f => long.Parse(f, CultureInfo.InvariantCulture)).ToArray();
        Assert.Equal(4, fields.Length);
        Assert.Equal(fields[3] / fields[2], fields[1]);
        return new Q4Update(fields[0], fields[1], fields[2], fields[3], line);
    }
}
