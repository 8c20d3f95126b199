using OrleansStream.Api.Connectors;
using OrleansStream.Connectors.Files;
using OrleansStream.Connectors.RateLimit;

namespace OrleansStream.Tests.Connectors;

public sealed class RateLimitedSourceTests : IDisposable
{
    private static readonly DateTimeOffset s_start = new(2026, 11, 25, 8, 0, 0, TimeSpan.Zero);
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private string WriteLines(int count)
    {
        string path = _temp.Combine("lines.txt");
        File.WriteAllLines(path, Enumerable.Range(1, count).Select(i => $"line {i}"));
        return path;
    }

    [Fact]
    public async Task A_file_is_read_no_faster_than_the_rate_and_completely()
    {
        var clock = new FakeTimeProvider(s_start);
        var source = new RateLimitedSource<string>(FileSource.Lines(WriteLines(30)), recordsPerSecondPerSubtask: 10, clock);
        var output = new CollectingOutput<string>();
        await using var reader = source.CreateReader(new SourceReaderContext(0, 1, source.CreateSplits(1)));

        Assert.Equal(ReadStatus.NothingAvailable, await reader.ReadAsync(output, 100, CancellationToken.None));
        Assert.Equal(ReadStatus.NothingAvailable, await reader.ReadAsync(output, 100, CancellationToken.None));
        Assert.Single(output.Values);

        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(ReadStatus.NothingAvailable, await reader.ReadAsync(output, 100, CancellationToken.None));
        Assert.Equal(11, output.Values.Count);

        clock.Advance(TimeSpan.FromSeconds(0.55));
        Assert.Equal(ReadStatus.MoreAvailable, await reader.ReadAsync(output, 5, CancellationToken.None));
        Assert.Equal(16, output.Values.Count);

        clock.Advance(TimeSpan.FromSeconds(60));
        Assert.Equal(ReadStatus.End, await reader.ReadAsync(output, 100, CancellationToken.None));
        Assert.Equal(Enumerable.Range(1, 30).Select(i => $"line {i}"), output.Values);
    }

    [Fact]
    public async Task A_reader_restored_from_a_snapshot_continues_after_the_last_record_it_emitted()
    {
        var clock = new FakeTimeProvider(s_start);
        var lines = FileSource.Lines(WriteLines(20));
        var source = new RateLimitedSource<string>(lines, 5, clock);
        var first = new CollectingOutput<string>();
        IReadOnlyList<SourceSplit> progress;
        await using (var reader = source.CreateReader(new SourceReaderContext(0, 1, source.CreateSplits(1))))
        {
            await reader.ReadAsync(first, 100, CancellationToken.None);
            clock.Advance(TimeSpan.FromSeconds(1));
            await reader.ReadAsync(first, 100, CancellationToken.None);
            progress = reader.SnapshotSplits();
        }

        var rest = new CollectingOutput<string>();
        await using (var restored = new RateLimitedSource<string>(lines, 10_000).CreateReader(new SourceReaderContext(0, 1, progress)))
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await SourceTestHarness.DrainAsync(restored, rest, timeout.Token);
        }

        Assert.Equal(6, first.Values.Count);
        Assert.Equal(Enumerable.Range(1, 20).Select(i => $"line {i}"), first.Values.Concat(rest.Values));
    }

    [Fact]
    public void A_rate_that_is_not_a_positive_number_is_refused()
    {
        var lines = FileSource.Lines(WriteLines(1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RateLimitedSource<string>(lines, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RateLimitedSource<string>(lines, double.NaN));
    }
}
