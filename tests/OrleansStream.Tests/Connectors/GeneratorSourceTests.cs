using OrleansStream.Connectors;
using Xunit;

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
    public async Task FromIndex_ReaderResumedFromOffsets_ContinuesWhereTheFirstStopped()
    {
        var source = GeneratorSource.FromIndex(i => i, count: 30);
        var splits = source.CreateSplits(3);
        var context = new SourceReaderContext(1, 3, [splits[1]]);

        var first = new CollectingOutput<long>();
        IReadOnlyDictionary<string, long> offsets;
        await using (var reader = source.CreateReader(context, startOffsets: null))
        {
            Assert.Equal(ReadStatus.MoreAvailable, await reader.ReadAsync(first, 4, CancellationToken.None));
            offsets = reader.Offsets;
        }

        var rest = new CollectingOutput<long>();
        await using (var resumed = source.CreateReader(context, offsets))
        {
            await SourceTestHarness.DrainAsync(resumed, rest, CancellationToken.None);
        }

        Assert.Equal(4, offsets[splits[1].SplitId]);
        Assert.Equal(new long[] { 1, 4, 7, 10 }, first.Values);
        Assert.Equal(new long[] { 13, 16, 19, 22, 25, 28 }, rest.Values);
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
    public async Task FromSequence_ReaderResumedFromOffsets_SkipsWhatWasEmitted()
    {
        var source = GeneratorSource.FromSequence(RandomWords, countPerSplit: 20, splits: 2).WithSeed(3);
        var splits = source.CreateSplits(1);
        var context = new SourceReaderContext(0, 1, splits);
        var expected = await SourceTestHarness.ReadAll(source, parallelism: 1);

        var first = new CollectingOutput<string>();
        IReadOnlyDictionary<string, long> offsets;
        await using (var reader = source.CreateReader(context, startOffsets: null))
        {
            await reader.ReadAsync(first, 15, CancellationToken.None);
            offsets = reader.Offsets;
        }

        var rest = new CollectingOutput<string>();
        await using (var resumed = source.CreateReader(context, offsets))
        {
            await SourceTestHarness.DrainAsync(resumed, rest, CancellationToken.None);
        }

        Assert.Equal(2, splits.Count);
        Assert.Equal(15, offsets.Values.Sum());
        Assert.Equal(expected.Order(StringComparer.Ordinal), first.Values.Concat(rest.Values).Order(StringComparer.Ordinal));
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
