using OrleansStream.Api;
using OrleansStream.Connectors.Generator;
using OrleansStream.Contracts.Jobs;
using OrleansStream.Tests.Cluster;
using OrleansStream.Tests.Fixtures;

namespace OrleansStream.Tests.AsyncIo;

/// <summary>Ordered async I/O chained to its source (the source task's read loop waits for capacity).</summary>
public sealed class OrderedLookupJob : IStreamJob
{
    public void Build(StreamBuilder builder)
    {
        var parameters = builder.Parameters;
        var numbers = builder.FromSource(GeneratorSource.FromIndex(i => i, parameters.GetInt64("count", 0)), "numbers");
        int seed = (int)parameters.GetInt64("seed", 1);
        AsyncDataStream.OrderedWait(numbers, (long i, CancellationToken ct) => SlowLookup.CallAsync(i, seed, maxDelayMs: 4, ct), TimeSpan.FromSeconds(30), capacity: 16, "lookup")
            .SinkTo(new SubtaskCollectSink<(long Key, long Value)>(parameters.GetRequired("bag")), "collect");
    }
}

/// <summary>Unordered async I/O behind a rebalance (the task's input loop waits for capacity between envelopes).</summary>
public sealed class UnorderedLookupJob : IStreamJob
{
    public void Build(StreamBuilder builder)
    {
        var parameters = builder.Parameters;
        var numbers = builder.FromSource(GeneratorSource.FromIndex(i => i, parameters.GetInt64("count", 0)), "numbers").SetParallelism(2).Rebalance();
        int seed = (int)parameters.GetInt64("seed", 1);
        AsyncDataStream.UnorderedWait(numbers, (long i, CancellationToken ct) => SlowLookup.CallAsync(i, seed, maxDelayMs: 4, ct), TimeSpan.FromSeconds(30), capacity: 16, "lookup").SetParallelism(3)
            .SinkTo(new SubtaskCollectSink<(long Key, long Value)>(parameters.GetRequired("bag")), "collect");
    }
}

/// <summary>A lookup that never answers: its default timeout fails the job.</summary>
public sealed class TimingOutLookupJob : IStreamJob
{
    public void Build(StreamBuilder builder)
    {
        builder.RestartStrategy = RestartStrategy.None;
        var numbers = builder.FromSource(GeneratorSource.FromIndex(i => i, 100), "numbers");
        AsyncDataStream.UnorderedWait(numbers, async (long i, CancellationToken ct) =>
            {
                await Task.Delay(i == 50 ? Timeout.InfiniteTimeSpan : TimeSpan.Zero, ct);
                return i;
            }, TimeSpan.FromMilliseconds(200), capacity: 8, "stuck lookup")
            .SinkTo(new CollectSink<long>("timing-out"), "collect");
    }
}

[Collection(ClusterCollection.Name)]
public sealed class AsyncIoClusterTests(ClusterFixture fixture)
{
    private async Task<JobStatus> RunAsync<TJob>(int parallelism, Dictionary<string, string> parameters) where TJob : IStreamJob, new()
    {
        var status = await fixture.Jobs.SubmitAsync(JobSubmission.For<TJob>(parallelism, parameters));
        return await JobWatch.Of(fixture.Jobs, status.JobId).WaitForEndAsync();
    }

    private static List<(long Key, long Value)> Expected(long count)
        => Enumerable.Range(0, (int)count).Select(i => ((long)i, i * 7L + 3)).ToList();

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task Ordered_async_lookups_with_random_delays_emit_every_result_once_in_each_subtasks_input_order(int seed)
    {
        const long count = 4_000;
        var bag = Guid.NewGuid().ToString();
        var status = await RunAsync<OrderedLookupJob>(2, new() { ["count"] = count.ToString(), ["bag"] = bag, ["seed"] = seed.ToString() });

        Assert.True(status.State == JobState.Finished, $"Job ended {status.State}: {status.Failure}");
        var subtasks = SubtaskCollectSink<(long Key, long Value)>.Contents(bag);
        Assert.Equal(Expected(count), subtasks.SelectMany(s => s).OrderBy(r => r.Key));

        // The source reads its numbers in ascending order per split; ordered mode keeps that order.
        foreach (var results in subtasks)
        {
            var keys = results.Select(r => r.Key).ToList();
            Assert.Equal(keys.Order(), keys);
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task Unordered_async_lookups_with_random_delays_emit_every_result_exactly_once(int seed)
    {
        const long count = 4_000;
        var bag = Guid.NewGuid().ToString();
        var status = await RunAsync<UnorderedLookupJob>(3, new() { ["count"] = count.ToString(), ["bag"] = bag, ["seed"] = seed.ToString() });

        Assert.True(status.State == JobState.Finished, $"Job ended {status.State}: {status.Failure}");
        var subtasks = SubtaskCollectSink<(long Key, long Value)>.Contents(bag);
        Assert.Equal(3, subtasks.Count);
        Assert.Equal(Expected(count), subtasks.SelectMany(s => s).OrderBy(r => r.Key));
    }

    [Fact]
    public async Task A_lookup_that_times_out_fails_the_job_naming_the_operator()
    {
        var status = await RunAsync<TimingOutLookupJob>(1, new());

        Assert.Equal(JobState.Failed, status.State);
        Assert.Contains("stuck lookup", status.Failure);
        Assert.Contains("timeout", status.Failure);
    }
}
