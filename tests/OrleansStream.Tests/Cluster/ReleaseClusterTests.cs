using System.Collections.Concurrent;
using OrleansStream.Api;
using OrleansStream.Connectors.Discard;
using OrleansStream.Connectors.Generator;
using OrleansStream.Connectors.RateLimit;
using OrleansStream.Contracts.Jobs;
using OrleansStream.Functions;
using OrleansStream.Tests.Fixtures;

namespace OrleansStream.Tests.Cluster;

/// <summary>Memory each subtask of a job holds, tracked weakly: what a cancelled or failed job must let go of.</summary>
public static class Ballast
{
    private static readonly ConcurrentDictionary<string, ConcurrentBag<WeakReference<byte[]>>> Tracked = new();

    public static byte[] Take(string bag, int bytes)
    {
        var memory = GC.AllocateArray<byte>(bytes);
        memory.AsSpan().Fill(1);
        Tracked.GetOrAdd(bag, _ => []).Add(new WeakReference<byte[]>(memory));
        return memory;
    }

    public static int Taken(string bag) => Tracked.TryGetValue(bag, out var taken) ? taken.Count : 0;

    public static int Alive(string bag) => Tracked.TryGetValue(bag, out var taken) ? taken.Count(reference => reference.TryGetTarget(out _)) : 0;
}

/// <summary>A keyed job whose subtasks each hold 16 MiB from Open; with fail=N, record N throws and the job fails.</summary>
public sealed class BallastJob : IStreamJob
{
    public void Build(StreamBuilder builder)
    {
        string bag = builder.Parameters.GetRequired("bag");
        long fail = long.Parse(builder.Parameters.Get("fail") ?? "-1", System.Globalization.CultureInfo.InvariantCulture);
        builder.RestartStrategy = RestartStrategy.None;
        builder.FromSource(new RateLimitedSource<long>(GeneratorSource.FromIndex(i => i), 100), "numbers")
            .KeyBy(i => i % 4)
            .Process(new Holding(bag, fail), "holding")
            .SinkTo(new DiscardingSink<long>(), "discard");
    }

    private sealed class Holding(string bag, long fail) : KeyedProcessFunction<long, long, long>
    {
        private byte[]? _memory;

        public override void Open(RuntimeContext context) => _memory = Ballast.Take(bag, 16 << 20);

        public override void ProcessElement(long value, KeyedProcessContext<long> context, ICollector<long> output)
            => output.Collect(value == fail ? throw new InvalidDataException($"record {fail} fails the job") : value + _memory![0]);
    }
}

/// <summary>
/// A job that ends, cancelled or failed, lets go of what its subtasks held: their memory can be collected (the
/// subtasks' grains are gone, nothing else keeps their operators). Checked by weak references, not by heap sizes.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class ReleaseClusterTests(ClusterFixture fixture)
{
    [Theory]
    [InlineData("canceled")]
    [InlineData("failed")]
    public async Task The_memory_of_an_ended_jobs_subtasks_is_released(string ending)
    {
        string bag = Guid.NewGuid().ToString("N");
        var submitted = await fixture.Jobs.SubmitAsync(JobSubmission.For<BallastJob>(2, new Dictionary<string, string>
        {
            ["bag"] = bag,
            ["fail"] = ending == "failed" ? "300" : "-1",
        }));
        await Eventually(() => Ballast.Taken(bag) == 2, "both subtasks took their memory");

        if (ending == "canceled")
        {
            await fixture.Jobs.CancelAsync(submitted.JobId);
        }

        var status = await JobWatch.Of(fixture.Jobs, submitted.JobId).WaitForEndAsync();
        await Eventually(() =>
        {
            GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
            GC.WaitForPendingFinalizers();
            return Ballast.Alive(bag) == 0;
        }, "the subtasks' memory was collected");

        Assert.Equal(ending == "canceled" ? JobState.Canceled : JobState.Failed, status.State);
    }

    private static async Task Eventually(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + JobWatch.Patience;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"Not within {JobWatch.Patience.TotalMinutes} min: {what}.");
            await Task.Delay(TimeSpan.FromMilliseconds(200));
        }
    }
}
