using OrleansStream.Api.Connectors;
using OrleansStream.Connectors.Files;

namespace OrleansStream.Tests.Connectors;

/// <summary>
/// <see cref="FileSource.Monitor"/>: new files and appended lines are read as they come, each whole line once, with its
/// file and line number; a restored reader goes on exactly where the checkpoint says; the watcher sees new input.
/// </summary>
public sealed class MonitoredFileSourceTests : IDisposable
{
    /// <summary>Listed on every read, so that the tests need not wait.</summary>
    private static readonly TimeSpan EveryRead = TimeSpan.FromTicks(1);

    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task New_files_and_appended_lines_are_read_once_each_and_a_line_is_read_only_when_whole()
    {
        var source = FileSource.Monitor(_directory.Path, EveryRead);
        await using var reader = source.CreateReader(new SourceReaderContext(0, 1, source.CreateSplits(1)));
        Assert.False(source.IsBounded);
        Assert.Empty(await ReadNowAsync(reader));

        string log = _directory.Combine("a.log");
        await File.WriteAllTextAsync(log, "\uFEFFone\r\ntwo\nthr");
        Assert.Equal(["a.log:1:one", "a.log:2:two"], await ReadNowAsync(reader));

        await File.AppendAllTextAsync(log, "ee\nfour\n");
        await File.WriteAllTextAsync(_directory.Combine("b.log"), "other\n");
        Assert.Equal(["a.log:3:three", "a.log:4:four", "b.log:1:other"], await ReadNowAsync(reader));
        Assert.Empty(await ReadNowAsync(reader));
    }

    [Fact]
    public async Task A_reader_restored_from_its_splits_goes_on_exactly_where_they_say_and_buckets_split_the_files()
    {
        for (int f = 0; f < 6; f++)
        {
            await File.WriteAllLinesAsync(_directory.Combine($"{f}.log"), Enumerable.Range(0, 10).Select(i => $"{f}-{i}"));
        }

        var source = FileSource.Monitor(_directory.Combine("*.log"), EveryRead, splitCount: 3);
        var splits = source.CreateSplits(2);
        var read = new List<string>();
        IReadOnlyList<SourceSplit>[] snapshots = [SourceTestHarness.SplitsOf(splits, 0, 2), SourceTestHarness.SplitsOf(splits, 1, 2)];
        for (int round = 0; round < 4; round++)
        {
            // Each round: restore both readers from the last snapshots (through the serializer, as a checkpoint does), read a little, snapshot.
            for (int subtask = 0; subtask < 2; subtask++)
            {
                var restored = snapshots[subtask].Select(s => source.SplitSerializer.Deserialize(source.SplitSerializer.Serialize(s))).ToList();
                await using var reader = source.CreateReader(new SourceReaderContext(subtask, 2, restored));
                var output = new CollectingOutput<TextLine>();
                await reader.ReadAsync(output, maxRecords: 7, CancellationToken.None);
                read.AddRange(output.Values.Select(l => l.Text));
                snapshots[subtask] = reader.SnapshotSplits();
            }

            await File.AppendAllTextAsync(_directory.Combine($"{round}.log"), $"{round}-late\n");
        }

        for (int subtask = 0; subtask < 2; subtask++)
        {
            await using var reader = source.CreateReader(new SourceReaderContext(subtask, 2, snapshots[subtask]));
            read.AddRange((await ReadNowAsync(reader)).Select(line => line.Split(':')[2]));
        }

        var expected = Enumerable.Range(0, 6).SelectMany(f => Enumerable.Range(0, 10).Select(i => $"{f}-{i}")).Concat(Enumerable.Range(0, 4).Select(r => $"{r}-late"));
        Assert.Equal(expected.Order(StringComparer.Ordinal), read.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_line_without_a_break_longer_than_the_limit_fails_naming_its_file_and_line()
    {
        await File.WriteAllTextAsync(_directory.Combine("big.log"), "ok\n" + new string('x', (1 << 20) + 10));
        var source = FileSource.Monitor(_directory.Path, EveryRead);
        await using var reader = source.CreateReader(new SourceReaderContext(0, 1, source.CreateSplits(1)));

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => ReadNowAsync(reader));

        Assert.Contains("Line 2 of '", error.Message);
        Assert.Contains("big.log' is longer than 1,048,576 bytes", error.Message);
    }

    [Fact]
    public async Task The_watcher_sees_a_whole_line_beyond_what_the_reader_read_and_a_new_file_of_its_buckets()
    {
        string log = _directory.Combine("a.log");
        await File.WriteAllTextAsync(log, "one\n");
        var source = FileSource.Monitor(_directory.Path, EveryRead);
        var watchable = (IWatchableSource)source;
        await using var watcher = watchable.CreateInputWatcher();
        await using var reader = source.CreateReader(new SourceReaderContext(0, 1, source.CreateSplits(1)));
        string unread = watchable.MarkOf(reader.SnapshotSplits());
        Assert.True(await watcher.HasInputSinceAsync(unread, CancellationToken.None));

        await ReadNowAsync(reader);
        string mark = watchable.MarkOf(reader.SnapshotSplits());
        Assert.False(await watcher.HasInputSinceAsync(mark, CancellationToken.None));

        // A line being written is not input until its line break is there.
        await File.AppendAllTextAsync(log, "tw");
        Assert.False(await watcher.HasInputSinceAsync(mark, CancellationToken.None));
        await File.AppendAllTextAsync(log, "o\n");
        Assert.True(await watcher.HasInputSinceAsync(mark, CancellationToken.None));

        await ReadNowAsync(reader);
        mark = watchable.MarkOf(reader.SnapshotSplits());
        await File.WriteAllTextAsync(_directory.Combine("b.log"), "new\n");
        Assert.True(await watcher.HasInputSinceAsync(mark, CancellationToken.None));

        // A reader with no bucket watches nothing.
        Assert.False(await watcher.HasInputSinceAsync(watchable.MarkOf([]), CancellationToken.None));
    }

    /// <summary>Reads until the reader has nothing more now: "file:line:text" of each line.</summary>
    private static async Task<List<string>> ReadNowAsync(ISourceReader<TextLine> reader)
    {
        var output = new CollectingOutput<TextLine>();
        while (await reader.ReadAsync(output, maxRecords: 3, CancellationToken.None) == ReadStatus.MoreAvailable)
        {
        }

        return output.Values.Select(l => $"{Path.GetFileName(l.Path)}:{l.LineNumber}:{l.Text}").ToList();
    }
}
