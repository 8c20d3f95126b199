using OrleansStream.Api.Connectors;
using OrleansStream.Connectors.Generator;

namespace OrleansStream.Tests.Connectors;

public sealed class GeneratorSourceTests
{
    private static readonly DateTimeOffset s_start = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task FromIndex_ParallelismThree_GivesEveryIndexExactlyOnce()
    {
        var source = GeneratorSource.FromIndex(i => i * 10, count: 100);

        var values = await SourceTestHarness.ReadAll(source, parallelism: 3);

        Assert.True(source.IsBounded);
        Assert.Equal(Enumerable.Range(0, 100).Select(i => i * 10L), values.Order());
    }

    [Fact]
    public async Task FromIndex_Split_OwnsEveryPthIndexInAscendingOrder()
    {
        var source = GeneratorSource.FromIndex(i => i, count: 10);
        var splits = source.CreateSplits(3);
        var output = new CollectingOutput<long>();

        await using var reader = source.CreateReader(new SourceReaderContext(1, 3, [splits[1]]));
        await SourceTestHarness.DrainAsync(reader, output, CancellationToken.None);

        Assert.Equal(new long[] { 1, 4, 7 }, output.Values);
    }

    [Fact]
    public async Task FromIndex_SnapshotSplits_RecordsTheEmittedCountAndRestoresAfterIt()
    {
        var source = GeneratorSource.FromIndex(i => i, count: 30);
        var splits = source.CreateSplits(3);

        var first = new CollectingOutput<long>();
        SourceSplit snapshot;
        await using (var reader = source.CreateReader(new SourceReaderContext(1, 3, [splits[1]])))
        {
            Assert.Equal(ReadStatus.MoreAvailable, await reader.ReadAsync(first, 4, CancellationToken.None));
            snapshot = Assert.Single(reader.SnapshotSplits());
            await reader.ReadAsync(new CollectingOutput<long>(), 3, CancellationToken.None);
        }

        var rest = new CollectingOutput<long>();
        SourceSplit final;
        await using (var resumed = source.CreateReader(new SourceReaderContext(0, 1, [CheckpointedRead.RoundTrip(source, snapshot)])))
        {
            await SourceTestHarness.DrainAsync(resumed, rest, CancellationToken.None);
            final = Assert.Single(resumed.SnapshotSplits());
        }

        Assert.Equal(new GeneratorSplit("generator-1-of-3", 1, 3, Emitted: 4), snapshot);
        Assert.Equal(new GeneratorSplit("generator-1-of-3", 1, 3, Emitted: 10, Finished: true), final);
        Assert.Equal(new long[] { 1, 4, 7, 10 }, first.Values);
        Assert.Equal(new long[] { 13, 16, 19, 22, 25, 28 }, rest.Values);
    }

    [Fact]
    public async Task FromIndex_SnapshotsAndRestoresOnOtherParallelisms_GiveEveryIndexOnce()
    {
        var source = GeneratorSource.FromIndex(i => i * 10, count: 1000);

        var (values, final) = await CheckpointedRead.RunAsync(source, parallelisms: [3, 2, 5, 1, 4], recordsPerReaderPerPhase: 37);

        Assert.Equal(Enumerable.Range(0, 1000).Select(i => i * 10L), values.Order());
        Assert.Equal(
            [new GeneratorSplit("generator-0-of-3", 0, 3, 334, true), new GeneratorSplit("generator-1-of-3", 1, 3, 333, true), new GeneratorSplit("generator-2-of-3", 2, 3, 333, true)],
            final.Cast<GeneratorSplit>().OrderBy(s => s.SplitIndex));
    }

    [Fact]
    public async Task FromSequence_WithSeed_SnapshotsAndRestoresOnOtherParallelisms_GiveTheUninterruptedRecords()
    {
        var source = GeneratorSource.FromSequence(RandomWords, countPerSplit: 200, splits: 4).WithSeed(11);
        var uninterrupted = await SourceTestHarness.ReadAll(source, parallelism: 2);

        var (values, final) = await CheckpointedRead.RunAsync(source, parallelisms: [2, 3, 1, 4, 2], recordsPerReaderPerPhase: 45);

        Assert.Equal(800, uninterrupted.Count);
        Assert.Equal(uninterrupted.Order(StringComparer.Ordinal), values.Order(StringComparer.Ordinal));
        Assert.All(final.Cast<GeneratorSplit>(), s => Assert.Equal((200L, true), (s.Emitted, s.Finished)));
    }

    [Fact]
    public async Task FromSequence_SplitRestoredFromSnapshot_ContinuesItsOwnSequenceInOrder()
    {
        var source = GeneratorSource.FromSequence(RandomWords, countPerSplit: 30, splits: 1).WithSeed(5);
        var uninterrupted = await SourceTestHarness.ReadAll(source, parallelism: 1);

        var (values, _) = await CheckpointedRead.RunAsync(source, parallelisms: [1, 1, 1, 1], recordsPerReaderPerPhase: 8);

        Assert.Equal(uninterrupted, values);
    }

    [Fact]
    public async Task FromSequence_FiniteSequence_FinishedSplitIsNotEnumeratedAgain()
    {
        int enumerations = 0;
        var source = GeneratorSource.FromSequence(context =>
        {
            Interlocked.Increment(ref enumerations);
            return Enumerable.Range(0, 3).Select(i => (context.SplitIndex * 100) + i);
        });
        var splits = source.CreateSplits(1);

        IReadOnlyList<SourceSplit> snapshot;
        await using (var reader = source.CreateReader(new SourceReaderContext(0, 1, splits)))
        {
            await SourceTestHarness.DrainAsync(reader, new CollectingOutput<int>(), CancellationToken.None);
            snapshot = reader.SnapshotSplits();
        }

        var again = new CollectingOutput<int>();
        await using (var restored = source.CreateReader(new SourceReaderContext(0, 1, snapshot)))
        {
            Assert.Equal(ReadStatus.End, await restored.ReadAsync(again, 10, CancellationToken.None));
        }

        Assert.Equal(new GeneratorSplit("generator-0-of-1", 0, 1, 3, true), Assert.Single(snapshot));
        Assert.Empty(again.Values);
        Assert.Equal(1, enumerations);
    }

    [Fact]
    public async Task WithPacing_RecordHeldBackAtTheSnapshot_IsEmittedByTheRestoredReader()
    {
        var clock = new FakeTimeProvider(s_start);
        long startMillis = s_start.ToUnixTimeMilliseconds();
        var source = GeneratorSource.FromIndex(i => i, count: 4)
            .WithPacing(i => startMillis + (i * 1000))
            .WithTimeProvider(clock);

        var first = new CollectingOutput<long>();
        IReadOnlyList<SourceSplit> snapshot;
        await using (var reader = source.CreateReader(new SourceReaderContext(0, 1, source.CreateSplits(1))))
        {
            Assert.Equal(ReadStatus.NothingAvailable, await reader.ReadAsync(first, 10, CancellationToken.None));
            snapshot = reader.SnapshotSplits();
        }

        clock.Advance(TimeSpan.FromSeconds(10));
        var rest = new CollectingOutput<long>();
        await using (var restored = source.CreateReader(new SourceReaderContext(0, 1, snapshot)))
        {
            Assert.Equal(ReadStatus.End, await restored.ReadAsync(rest, 10, CancellationToken.None));
        }

        Assert.Equal(new long[] { 0 }, first.Values);
        Assert.Equal(1, ((GeneratorSplit)Assert.Single(snapshot)).Emitted);
        Assert.Equal(new long[] { 1, 2, 3 }, rest.Values);
    }

    [Theory]
    [InlineData(3, 3, 0)]
    [InlineData(0, 2, -1)]
    public void CreateReader_InvalidSplit_ThrowsNamingTheSplit(int index, int count, long emitted)
    {
        var split = new GeneratorSplit("generator-broken", index, count, emitted);

        var error = Assert.Throws<ArgumentException>(() => GeneratorSource.FromIndex(i => i).CreateReader(new SourceReaderContext(0, 1, [split])));

        Assert.Contains("'generator-broken'", error.Message);
    }

    [Fact]
    public async Task FromSequence_SameSeed_GivesTheSameRecords()
    {
        static GeneratorSource<string> Create(int seed) => GeneratorSource
            .FromSequence(RandomWords, countPerSplit: 50)
            .WithSeed(seed);

        var first = await SourceTestHarness.ReadAll(Create(7), parallelism: 2);
        var second = await SourceTestHarness.ReadAll(Create(7), parallelism: 2);
        var other = await SourceTestHarness.ReadAll(Create(8), parallelism: 2);

        Assert.Equal(100, first.Count);
        Assert.Equal(first, second);
        Assert.NotEqual(first, other);
        Assert.Equal(50, first.Count(w => w.StartsWith("0:", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task FromSequence_SequenceThatEnds_EndsTheReader()
    {
        var source = GeneratorSource.FromSequence(context => Enumerable.Repeat(context.SplitIndex, 3));

        var values = await SourceTestHarness.ReadAll(source, parallelism: 2);

        Assert.False(source.IsBounded);
        Assert.Equal(new[] { 0, 0, 0, 1, 1, 1 }, values.Order());
    }

    [Fact]
    public async Task WithRateLimit_ReturnsNothingAvailableUntilTimeAdvances()
    {
        var clock = new FakeTimeProvider(s_start);
        var source = GeneratorSource.FromIndex(i => i, count: 100).WithRateLimit(10).WithTimeProvider(clock);
        var output = new CollectingOutput<long>();
        await using var reader = source.CreateReader(new SourceReaderContext(0, 1, source.CreateSplits(1)));

        Assert.Equal(ReadStatus.NothingAvailable, await reader.ReadAsync(output, 100, CancellationToken.None));
        Assert.Single(output.Values);
        Assert.Equal(ReadStatus.NothingAvailable, await reader.ReadAsync(output, 100, CancellationToken.None));
        Assert.Single(output.Values);

        clock.Advance(TimeSpan.FromMilliseconds(500));
        Assert.Equal(ReadStatus.NothingAvailable, await reader.ReadAsync(output, 100, CancellationToken.None));
        Assert.Equal(6, output.Values.Count);

        clock.Advance(TimeSpan.FromSeconds(100));
        Assert.Equal(ReadStatus.End, await reader.ReadAsync(output, 1000, CancellationToken.None));
        Assert.Equal(Enumerable.Range(0, 100).Select(i => (long)i), output.Values);
    }

    [Fact]
    public async Task WithPacing_HoldsRecordsBackUntilTheirTime()
    {
        var clock = new FakeTimeProvider(s_start);
        long startMillis = s_start.ToUnixTimeMilliseconds();
        var source = GeneratorSource.FromIndex(i => i, count: 5)
            .WithPacing(i => startMillis + (i * 1000))
            .WithTimeProvider(clock);
        var output = new CollectingOutput<long>();
        await using var reader = source.CreateReader(new SourceReaderContext(0, 1, source.CreateSplits(1)));

        Assert.Equal(ReadStatus.NothingAvailable, await reader.ReadAsync(output, 100, CancellationToken.None));
        Assert.Equal(new long[] { 0 }, output.Values);
        Assert.Equal(ReadStatus.NothingAvailable, await reader.ReadAsync(output, 100, CancellationToken.None));
        Assert.Single(output.Values);

        clock.Advance(TimeSpan.FromMilliseconds(1500));
        Assert.Equal(ReadStatus.NothingAvailable, await reader.ReadAsync(output, 100, CancellationToken.None));
        Assert.Equal(new long[] { 0, 1 }, output.Values);

        clock.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(ReadStatus.End, await reader.ReadAsync(output, 100, CancellationToken.None));
        Assert.Equal(new long[] { 0, 1, 2, 3, 4 }, output.Values);
    }

    [Fact]
    public void WithOptions_ReturnNewSourcesAndLeaveTheOriginalUnchanged()
    {
        var original = GeneratorSource.FromIndex(i => i);

        var configured = original.WithSeed(5).WithRateLimit(2);

        Assert.NotSame(original, configured);
        Assert.Equal(0, original.Seed);
        Assert.Null(original.RateLimit);
        Assert.Equal(5, configured.Seed);
        Assert.Equal(2.0, configured.RateLimit);
        Assert.False(original.IsBounded);
    }

    private static IEnumerable<string> RandomWords(GeneratorSplitContext context)
    {
        while (true)
        {
            yield return $"{context.SplitIndex}:{context.Random.Next(1_000_000)}";
        }
    }
}
