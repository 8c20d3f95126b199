using OrleansStream.Api;
using OrleansStream.Connectors.Generator;
using OrleansStream.Contracts.Jobs;
using OrleansStream.Samples.IpCount;
using OrleansStream.Tests.Fixtures;

namespace OrleansStream.Tests.Cluster;

public sealed class RebalanceJob : IStreamJob
{
    public void Build(StreamBuilder builder)
    {
        builder.FromSource(GeneratorSource.FromIndex(i => i, builder.Parameters.GetInt64("count", 0)), "numbers")
            .Rebalance()
            .Map(i => i * 3, "triple").SetParallelism(3)
            .SinkTo(new CollectSink<long>(builder.Parameters.GetRequired("bag")), "collect");
    }
}

public sealed class BroadcastJob : IStreamJob
{
    public void Build(StreamBuilder builder)
    {
        builder.FromSource(GeneratorSource.FromIndex(i => i, builder.Parameters.GetInt64("count", 0)), "numbers").SetParallelism(2)
            .Broadcast()
            .Map(i => i, "copy").SetParallelism(3)
            .SinkTo(new CollectSink<long>(builder.Parameters.GetRequired("bag")), "collect");
    }
}

public sealed class RollingSumJob : IStreamJob
{
    public void Build(StreamBuilder builder)
    {
        builder.FromSource(GeneratorSource.FromIndex(i => i, builder.Parameters.GetInt64("count", 0)), "numbers")
            .KeyBy(i => i % 7)
            .Reduce((a, b) => a + b, "rolling sum")
            .SinkTo(new CollectSink<long>(builder.Parameters.GetRequired("bag")), "collect");
    }
}

public sealed class FailingJob : IStreamJob
{
    public void Build(StreamBuilder builder)
    {
        builder.RestartStrategy = RestartStrategy.None;
        builder.FromSource(GeneratorSource.FromIndex(i => i, 10_000), "numbers")
            .KeyBy(i => i % 5)
            .Map(i => i == 5_000 ? throw new InvalidDataException("record 5000 is poison") : i, "poison check")
            .SinkTo(new CollectSink<long>("failing"), "collect");
    }
}

[Collection(ClusterCollection.Name)]
public sealed class PipelineClusterTests(ClusterFixture fixture)
{
    private async Task<JobStatus> RunAsync<TJob>(int parallelism, Dictionary<string, string> parameters) where TJob : IStreamJob, new()
    {
        var status = await fixture.Jobs.SubmitAsync(JobSubmission.For<TJob>(parallelism, parameters));
        return await JobWatch.Of(fixture.Jobs, status.JobId).WaitForEndAsync();
    }

    [Fact]
    public async Task Rebalance_delivers_every_record_exactly_once()
    {
        var bag = Guid.NewGuid().ToString();
        var status = await RunAsync<RebalanceJob>(4, new() { ["count"] = "100000", ["bag"] = bag });

        Assert.Equal(JobState.Finished, status.State);
        Assert.Equal(Enumerable.Range(0, 100_000).Select(i => i * 3L), CollectSink<long>.Contents(bag).Order());
    }

    [Fact]
    public async Task Broadcast_delivers_every_record_to_every_subtask()
    {
        var bag = Guid.NewGuid().ToString();
        var status = await RunAsync<BroadcastJob>(4, new() { ["count"] = "3000", ["bag"] = bag });

        Assert.Equal(JobState.Finished, status.State);
        Assert.Equal(Enumerable.Range(0, 3_000).SelectMany(i => new[] { (long)i, i, i }), CollectSink<long>.Contents(bag).Order());
    }

    [Fact]
    public async Task Keyed_rolling_reduce_sees_each_key_on_one_subtask()
    {
        var bag = Guid.NewGuid().ToString();
        var status = await RunAsync<RollingSumJob>(4, new() { ["count"] = "7000", ["bag"] = bag });

        Assert.Equal(JobState.Finished, status.State);
        var results = CollectSink<long>.Contents(bag).ToList();
        Assert.Equal(7_000, results.Count);

        // The final value per key is the sum of its numbers; it is the maximum the key reached.
        var finals = results.GroupBy(v => v).Select(g => g.Key).ToHashSet();
        foreach (var key in Enumerable.Range(0, 7))
        {
            long expected = Enumerable.Range(0, 7_000).Where(i => i % 7 == key).Sum(i => (long)i);
            Assert.Contains(expected, finals);
        }
    }

    [Fact]
    public async Task A_throwing_function_fails_the_job_naming_the_operator()
    {
        var status = await RunAsync<FailingJob>(4, new());

        Assert.Equal(JobState.Failed, status.State);
        Assert.Contains("poison check", status.Failure);
        Assert.Contains("record 5000 is poison", status.Failure);
    }

    [Fact]
    public async Task An_unknown_job_type_is_refused_at_submit()
    {
        var submission = new JobSubmission { JobType = "No.Such.Job, NoSuchAssembly", JobName = "ghost" };
        var error = await Assert.ThrowsAsync<JobSubmissionException>(() => fixture.Jobs.SubmitAsync(submission));
        Assert.Contains("No.Such.Job", error.Message);
    }
}

/// <summary>The IP count over Orleans' stock memory streams, selected by name in configuration.</summary>
[Collection(MemoryStreamsClusterCollection.Name)]
public sealed class MemoryStreamsClusterTests(MemoryStreamsClusterFixture fixture) : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("ipcount-memory-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task Ip_count_over_memory_streams_equals_the_linq_count()
    {
        var input = IpLogFiles.WriteOutOfOrder(Path.Combine(_directory, "logs"), files: 3, linesPerFile: 3_000, maxLatenessSeconds: 4, dated: false);
        var output = Path.Combine(_directory, "counts.txt");
        var status = await fixture.Jobs.SubmitAsync(JobSubmission.For<IpCountJob>(4, new Dictionary<string, string> { ["input"] = input, ["output"] = output }));
        status = await JobWatch.Of(fixture.Jobs, status.JobId).WaitForEndAsync();

        Assert.True(status.State == JobState.Finished, $"Job ended {status.State}: {status.Failure}");
        Assert.Equal(IpLogFiles.ExpectedCounts(input, windowSeconds: 5), File.ReadAllLines(output).Order(StringComparer.Ordinal).ToList());
    }
}
