using System.Net;
using OrleansStream.Api;
using OrleansStream.Client;
using OrleansStream.Connectors.Discard;
using OrleansStream.Connectors.Generator;
using OrleansStream.Connectors.RateLimit;
using OrleansStream.Contracts.Jobs;
using OrleansStream.Tests.Cluster;
using OrleansStream.Tests.Fixtures;
using OrleansStream.Time;

namespace OrleansStream.Tests.Client;

/// <summary>Numbers at a steady pace, with event time 1 s per number from 2026-01-01, until canceled.</summary>
public sealed class PacedNumbersJob : IStreamJob
{
    public static readonly DateTimeOffset Epoch = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public void Build(StreamBuilder builder)
    {
        builder.FromSource(new RateLimitedSource<long>(GeneratorSource.FromIndex(i => i, long.MaxValue), 200), "numbers")
            .AssignTimestampsAndWatermarks(WatermarkStrategy<long>.ForMonotonousTimestamps().WithTimestampAssigner(i => Epoch.ToUnixTimeMilliseconds() + i * 1000))
            .KeyBy(i => i % 4)
            .Map(i => i + 1, "increment")
            .SinkTo(new DiscardingSink<long>(), "discard");
    }
}

/// <summary>A job refused at build, naming the operator at fault.</summary>
public sealed class ForwardMismatchJob : IStreamJob
{
    public void Build(StreamBuilder builder)
        => builder.FromSource(GeneratorSource.FromIndex(i => i, 10), "numbers").SetParallelism(2)
            .Forward().Map(i => i, "narrow").SetParallelism(1)
            .SinkTo(new DiscardingSink<long>());
}

[Collection(ClusterCollection.Name)]
public sealed class StreamClientTests(ClusterFixture fixture)
{
    private StreamClient Client => new(fixture.Cluster.Client);

    [Fact]
    public async Task A_running_job_is_listed_and_its_status_shows_rates_watermarks_and_slots_then_it_is_canceled()
    {
        var client = Client;
        var submitted = await client.SubmitAsync(JobSubmission.For<PacedNumbersJob>(parallelism: 2));

        var listed = await EventuallyAsync(async () => (await client.ListJobsAsync()).SingleOrDefault(j => j.JobId == submitted.JobId), j => j is { State: JobState.Running });
        Assert.Equal(typeof(PacedNumbersJob).AssemblyQualifiedName, listed!.Definition);
        Assert.Equal(2, listed.Parallelism);

        // Rates and watermarks come from the tasks' reports, one a second.
        var status = await EventuallyAsync(() => client.GetStatusAsync(submitted.JobId),
            s => s.Vertices.All(v => v.Watermark is not null) && s.Vertices.SelectMany(v => v.Operators).Any(o => o.Name == "increment" && o.RecordsInPerSecond > 0));
        var increment = status.Vertices.SelectMany(v => v.Operators).Single(o => o.Name == "increment");
        // Two subtasks of at most 200 records per second each.
        Assert.InRange(increment.RecordsInPerSecond, 1, 2 * 200 * 1.5);
        var sourceVertex = status.Vertices[0];
        var watermark = DateTimeOffset.FromUnixTimeMilliseconds(sourceVertex.Watermark!.Value);
        Assert.InRange(watermark, PacedNumbersJob.Epoch - TimeSpan.FromSeconds(1), PacedNumbersJob.Epoch + TimeSpan.FromDays(1));
        Assert.Equal(2, status.Slots!.Count);

        var cluster = await client.GetClusterAsync();
        Assert.Equal(ClusterFixture.Silos, cluster.Silos.Count);
        Assert.All(cluster.Silos, silo => Assert.Equal(ClusterFixture.SlotsPerSilo, silo.Slots));
        Assert.All(cluster.Silos, silo => Assert.Equal("Active", silo.Status));
        Assert.True(cluster.SlotsInUse >= 2, $"the job's 2 slots should be in use, got {cluster.SlotsInUse}");

        var canceled = await client.CancelAsync(submitted.JobId);
        Assert.Equal(JobState.Canceled, canceled.State);
        await EventuallyAsync(async () => (await client.ListJobsAsync()).Single(j => j.JobId == submitted.JobId), j => j.State == JobState.Canceled && j.EndedAt is not null);
    }

    [Fact]
    public async Task Waiting_for_a_state_returns_when_the_job_reaches_it_and_reports_progress()
    {
        var bag = Guid.NewGuid().ToString("N");
        var submitted = await Client.SubmitAsync(JobSubmission.For<RollingSumJob>(2, new Dictionary<string, string> { ["count"] = "1000", ["bag"] = bag }));
        var seen = new List<JobState>();

        var status = await Client.WaitForStateAsync(submitted.JobId, [JobState.Finished], new SynchronousProgress<JobStatus>(s => seen.Add(s.State)));

        Assert.Equal(JobState.Finished, status.State);
        Assert.Equal(JobState.Finished, seen[^1]);
        Assert.Equal(1000, CollectSink<long>.Contents(bag).Count);
    }

    [Fact]
    public async Task An_unknown_job_is_reported_as_not_found()
    {
        var error = await Assert.ThrowsAsync<JobNotFoundException>(() => Client.GetStatusAsync("no-such-job"));
        Assert.Equal("no-such-job", error.JobId);
        await Assert.ThrowsAsync<JobNotFoundException>(() => Client.CancelAsync("no-such-job"));
        await Assert.ThrowsAsync<JobNotFoundException>(() => Client.TriggerSavepointAsync("no-such-job", TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task Refused_jobs_come_as_typed_errors_that_name_the_problem()
    {
        var invalid = await Assert.ThrowsAsync<InvalidJobException>(() => Client.SubmitAsync(JobSubmission.For<ForwardMismatchJob>()));
        Assert.Equal("narrow", invalid.OperatorName);

        var missing = await Assert.ThrowsAsync<InvalidJobException>(() => Client.SubmitAsync(new JobSubmission { JobType = "No.Such.Job, NoSuchAssembly", JobName = "ghost" }));
        Assert.Contains("No.Such.Job", missing.Message);

        var slots = await Assert.ThrowsAsync<NotEnoughSlotsException>(() => Client.SubmitAsync(JobSubmission.For<PacedNumbersJob>(parallelism: 100)));
        Assert.Equal(100, slots.Required);
        Assert.Equal(ClusterFixture.Silos * ClusterFixture.SlotsPerSilo, slots.Available);
    }

    [Fact]
    public async Task A_topology_is_read_by_the_cluster_which_names_the_line_at_fault_or_runs_it_under_its_own_name()
    {
        const string Valid = """
            name: counted-lines
            steps:
              - { name: lines, type: source, connector: generator, line: 'i.ToString()', count: 100 }
              - { name: parse, type: split, fields: { n: long } }
              - { name: out, type: sink, connector: discard }
            """;

        var invalid = await Assert.ThrowsAsync<InvalidJobException>(() => Client.SubmitAsync(
            JobSubmission.ForTopology(Valid.Replace("fields: { n: long }", "fields: { n: lng }", StringComparison.Ordinal), "lines.topology.yaml")));
        Assert.Equal("lines.topology.yaml", invalid.DefinitionFile);
        Assert.StartsWith("lines.topology.yaml:4:", invalid.Message);
        Assert.Contains("steps[1] (split 'parse')", invalid.Message);

        var submitted = await Client.SubmitAsync(JobSubmission.ForTopology(Valid, "lines.topology.yaml"));
        Assert.StartsWith("lines-", submitted.JobId);
        Assert.Equal("counted-lines", submitted.JobName);
        var finished = await Client.WaitForStateAsync(submitted.JobId, [JobState.Finished]);
        Assert.Equal(JobState.Finished, finished.State);
        Assert.Equal(100, finished.RecordsOf("parse"));
    }

    [Fact]
    public async Task Connecting_where_no_silo_listens_fails_fast_with_what_was_tried()
    {
        int port = FreePort.Next();
        var error = await Assert.ThrowsAsync<ClusterUnavailableException>(() => StreamClient.ConnectAsync(StreamClientOptions.ForGateways(new IPEndPoint(IPAddress.Loopback, port))));
        Assert.Contains(port.ToString(System.Globalization.CultureInfo.InvariantCulture), error.Message);
    }

    [Fact]
    public async Task The_job_list_keeps_the_newest_summary_of_a_job_whatever_order_they_arrive_in()
    {
        var registry = fixture.Cluster.GrainFactory.GetGrain<IJobRegistryGrain>(IJobRegistryGrain.Key);
        var jobId = "registry-" + Guid.NewGuid().ToString("N")[..8];
        var submitted = DateTimeOffset.UtcNow;
        var finished = new JobSummary(jobId, "late news", "a class", JobState.Finished, submitted, submitted.AddMinutes(1), 2, Revision: 7);
        var running = finished with { State = JobState.Running, EndedAt = null, Revision = 3 };

        // Job grains do not wait for these calls, so they may overtake each other: here the older arrives last.
        await registry.UpdateAsync(finished);
        await registry.UpdateAsync(running);

        var listed = (await registry.ListAsync()).Single(j => j.JobId == jobId);
        Assert.Equal(finished, listed);
    }

    private static async Task<T> EventuallyAsync<T>(Func<Task<T>> read, Func<T, bool> done)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            var value = await read();
            if (done(value))
            {
                return value;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Still not there after 30 s: {value}");
            }

            await Task.Delay(100);
        }
    }

    /// <summary>Reports on the caller's thread: <see cref="Progress{T}"/> would post to the thread pool, after the wait returned.</summary>
    private sealed class SynchronousProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}
