using System.Text;
using OrleansStream.Api.Connectors;
using OrleansStream.Connectors.Files;

namespace OrleansStream.Tests.Connectors;

public sealed class FileSourceTests : IDisposable
{
    // 3 ranges of exactly 1,200,000 bytes each (every range is over the 1 MiB minimum).
    private const int FirstBoundary = 1_200_000;
    private const int SecondBoundary = 2_400_000;
    private const int BigFileLength = 3_600_000;

    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task NumberedLines_OneFileInThreeRanges_ReturnsEveryLineOnceWithItsNumber()
    {
        byte[] content = BuildBigFile();
        string path = _temp.Combine("big.txt");
        await File.WriteAllBytesAsync(path, content);
        var source = FileSource.NumberedLines(path);

        var splits = source.CreateSplits(3).Cast<FileSplit>().ToList();
        Assert.Equal([0L, FirstBoundary, SecondBoundary], splits.Select(s => s.Start));
        Assert.Equal([(long)FirstBoundary, SecondBoundary, BigFileLength], splits.Select(s => s.End));
        Assert.Equal((byte)'\n', content[FirstBoundary - 1]);
        Assert.NotEqual((byte)'\n', content[SecondBoundary - 1]);
        Assert.NotEqual((byte)'\n', content[SecondBoundary]);

        var lines = await SourceTestHarness.ReadAll(source, parallelism: 3);

        var expected = ExpectedLines(content);
        Assert.Equal(expected.Count, lines.Count);
        Assert.Equal(expected, lines.OrderBy(l => l.LineNumber).Select(l => (l.LineNumber, l.Text)).ToList());
        Assert.All(lines, l => Assert.Equal(Path.GetFullPath(path), l.Path));
        Assert.Contains(lines, l => l.Text.Length == 0);
        Assert.DoesNotContain(lines, l => l.Text.EndsWith('\r'));
        Assert.Equal("tail-without-newline", lines.MaxBy(l => l.LineNumber).Text);
    }

    [Fact]
    public async Task Lines_OneFileInThreeRanges_ReturnsTheSameTextsAsNumberedLines()
    {
        byte[] content = BuildBigFile();
        string path = _temp.Combine("big.txt");
        await File.WriteAllBytesAsync(path, content);

        var lines = await SourceTestHarness.ReadAll(FileSource.Lines(path), parallelism: 3);

        Assert.Equal(ExpectedLines(content).Select(l => l.Text).Order(StringComparer.Ordinal), lines.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Lines_SmallFile_HandlesCrLfEmptyLinesBomAndLastLineWithoutNewline()
    {
        string path = _temp.Combine("small.txt");
        await File.WriteAllBytesAsync(path, [0xEF, 0xBB, 0xBF, .. "first\r\n\r\nsecond\n\nthird é\r\nlast"u8]);
        var source = FileSource.Lines(path);

        Assert.Single(source.CreateSplits(4));
        var lines = await SourceTestHarness.ReadAll(source, parallelism: 4);

        Assert.Equal(["first", "", "second", "", "third é", "last"], lines);
    }

    [Fact]
    public async Task A_line_longer_than_the_limit_fails_the_reader_naming_its_file_and_line()
    {
        string path = _temp.Combine("long.txt");
        await using (var file = File.CreateText(path))
        {
            await file.WriteAsync("a\nb\n");
            await file.WriteAsync(new string('x', 50 << 20));
            await file.WriteAsync("\nc\n");
        }

        var numbered = await Assert.ThrowsAsync<InvalidDataException>(() => SourceTestHarness.ReadAll(FileSource.NumberedLines(path, splitCount: 1), parallelism: 1));
        var unnumbered = await Assert.ThrowsAsync<InvalidDataException>(() => SourceTestHarness.ReadAll(FileSource.Lines(path, splitCount: 1), parallelism: 1));

        Assert.Equal($"Line 3 of '{Path.GetFullPath(path)}' is longer than 1,048,576 bytes without a line break.", numbered.Message);
        Assert.Equal($"The line at byte 4 of '{Path.GetFullPath(path)}' is longer than 1,048,576 bytes without a line break.", unnumbered.Message);
    }

    [Fact]
    public void The_line_buffer_refuses_a_long_line_before_it_holds_much_more_than_the_limit()
    {
        var buffer = new Utf8LineBuffer();
        long fed = 0;

        Assert.Throws<LineTooLongException>((Action)(() =>
        {
            while (true)
            {
                var memory = buffer.GetWriteMemory();
                memory.Span.Fill((byte)'x');
                buffer.Advance(memory.Length);
                fed += memory.Length;
                buffer.TryTakeLine(out _, out _);
            }
        }));

        Assert.InRange(fed, Utf8LineBuffer.MaxLineBytes, 2 * Utf8LineBuffer.MaxLineBytes);
    }

    [Fact]
    public async Task Lines_FileEndingWithNewline_HasNoExtraEmptyLine()
    {
        string path = _temp.Combine("a.txt");
        await File.WriteAllTextAsync(path, "a\nb\n");

        Assert.Equal(["a", "b"], await SourceTestHarness.ReadAll(FileSource.Lines(path), parallelism: 1));
    }

    [Fact]
    public async Task Lines_Directory_HasOneSplitPerFileInNameOrder()
    {
        string directory = _temp.Combine("input");
        Directory.CreateDirectory(directory);
        await File.WriteAllTextAsync(Path.Combine(directory, "b.txt"), "b1\nb2\n");
        await File.WriteAllTextAsync(Path.Combine(directory, "a.txt"), "a1\n");
        await File.WriteAllTextAsync(Path.Combine(directory, "c.log"), "c1\nc2\nc3");
        Directory.CreateDirectory(Path.Combine(directory, "nested"));
        await File.WriteAllTextAsync(Path.Combine(directory, "nested", "d.txt"), "ignored\n");
        var source = FileSource.NumberedLines(directory);

        var splits = source.CreateSplits(2).Cast<FileSplit>().ToList();
        Assert.Equal(["a.txt", "b.txt", "c.log"], splits.Select(s => Path.GetFileName(s.Path)));
        Assert.All(splits, s => Assert.Equal(0, s.Start));
        Assert.Equal([3L, 6L, 8L], splits.Select(s => s.End));
        Assert.Equal(splits.Count, source.CreateSplits(8).Count);

        var lines = await SourceTestHarness.ReadAll(source, parallelism: 2);

        Assert.Equal(
            ["a.txt:1:a1", "b.txt:1:b1", "b.txt:2:b2", "c.log:1:c1", "c.log:2:c2", "c.log:3:c3"],
            lines.Select(l => $"{Path.GetFileName(l.Path)}:{l.LineNumber}:{l.Text}").Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Lines_GlobPattern_MatchesFilesInTheLastSegment()
    {
        await File.WriteAllTextAsync(_temp.Combine("x.log"), "x\n");
        await File.WriteAllTextAsync(_temp.Combine("y.log"), "y\n");
        await File.WriteAllTextAsync(_temp.Combine("z.txt"), "z\n");

        var lines = await SourceTestHarness.ReadAll(FileSource.Lines(_temp.Combine("*.log")), parallelism: 1);

        Assert.Equal(["x", "y"], lines);
    }

    [Theory]
    [InlineData("missing.txt")]
    [InlineData("missing-dir/*.txt")]
    [InlineData("*.nothing")]
    public void CreateSplits_PathMatchingNoFile_ThrowsFileNotFoundNamingThePath(string relative)
    {
        string path = _temp.Combine(relative);

        var error = Assert.Throws<FileNotFoundException>(() => FileSource.Lines(path).CreateSplits(1));

        Assert.Contains(path, error.Message);
    }

    [Fact]
    public async Task SnapshotSplits_SmallCrLfFile_RecordsTheNextLineAndRestoresExactlyAfterIt()
    {
        string path = _temp.Combine("resume.txt");
        await File.WriteAllTextAsync(path, "one\r\ntwo\nthree\n\nfive\nsix");
        var source = FileSource.NumberedLines(path);
        var split = Assert.Single(source.CreateSplits(1));

        var first = new CollectingOutput<TextLine>();
        SourceSplit snapshot;
        await using (var reader = source.CreateReader(new SourceReaderContext(0, 1, [split])))
        {
            Assert.Equal(ReadStatus.MoreAvailable, await reader.ReadAsync(first, 2, CancellationToken.None));
            snapshot = Assert.Single(reader.SnapshotSplits());
            await reader.ReadAsync(new CollectingOutput<TextLine>(), 2, CancellationToken.None);
        }

        var rest = new CollectingOutput<TextLine>();
        SourceSplit final;
        await using (var resumed = source.CreateReader(new SourceReaderContext(0, 1, [CheckpointedRead.RoundTrip(source, snapshot)])))
        {
            await SourceTestHarness.DrainAsync(resumed, rest, CancellationToken.None);
            final = Assert.Single(resumed.SnapshotSplits());
        }

        Assert.Equal((FileSplit)split with { Position = 9, LineNumber = 3 }, snapshot);
        Assert.Equal((FileSplit)split with { Position = 24, Finished = true }, final);
        Assert.Equal([(1L, "one"), (2L, "two")], first.Values.Select(l => (l.LineNumber, l.Text)));
        Assert.Equal([(3L, "three"), (4L, ""), (5L, "five"), (6L, "six")], rest.Values.Select(l => (l.LineNumber, l.Text)));
    }

    [Fact]
    public async Task SnapshotSplits_BeforeAnythingIsRead_ReturnsTheSplitsUnchanged()
    {
        byte[] content = BuildBigFile();
        string path = _temp.Combine("big.txt");
        await File.WriteAllBytesAsync(path, content);
        var source = FileSource.NumberedLines(path);
        var splits = source.CreateSplits(3);

        await using var reader = source.CreateReader(new SourceReaderContext(0, 1, splits));

        Assert.Equal(splits, reader.SnapshotSplits());
    }

    [Fact]
    public async Task NumberedLines_SnapshotsAndRestoresOnOtherParallelisms_GiveEveryLineOnceWithItsNumber()
    {
        byte[] content = BuildBigFile();
        string path = _temp.Combine("big.txt");
        await File.WriteAllBytesAsync(path, content);
        var source = FileSource.NumberedLines(path);

        var (lines, final) = await CheckpointedRead.RunAsync(source, parallelisms: [3, 2, 5, 1, 2], recordsPerReaderPerPhase: 4000);

        var expected = ExpectedLines(content);
        Assert.Equal(expected.Count, lines.Count);
        Assert.Equal(expected, lines.Select(l => (l.LineNumber, l.Text)).Order().ToList());
        Assert.All(final.Cast<FileSplit>(), s => Assert.True(s.Finished, s.SplitId));
    }

    [Fact]
    public async Task Lines_SnapshotsAndRestoresOnOtherParallelisms_GiveEveryLineOnce()
    {
        byte[] content = BuildBigFile();
        string path = _temp.Combine("big.txt");
        await File.WriteAllBytesAsync(path, content);
        var source = FileSource.Lines(path);

        var (lines, final) = await CheckpointedRead.RunAsync(source, parallelisms: [3, 4, 1, 2], recordsPerReaderPerPhase: 3000);

        Assert.Equal(ExpectedLines(content).Select(l => l.Text).Order(StringComparer.Ordinal), lines.Order(StringComparer.Ordinal));
        Assert.All(final.Cast<FileSplit>(), s => Assert.True(s.Finished, s.SplitId));
    }

    [Fact]
    public async Task Lines_SeveralSmallFiles_SnapshotsBetweenEveryFewLines_GiveEveryLineOnceInFileOrder()
    {
        string directory = _temp.Combine("input");
        Directory.CreateDirectory(directory);
        await File.WriteAllBytesAsync(Path.Combine(directory, "a.txt"), [0xEF, 0xBB, 0xBF, .. "a1\r\na2\r\n\r\na4"u8]);
        await File.WriteAllTextAsync(Path.Combine(directory, "b.txt"), "b1\nb2\nb3\n");
        await File.WriteAllTextAsync(Path.Combine(directory, "c.txt"), "");
        var source = FileSource.NumberedLines(directory);

        var (lines, final) = await CheckpointedRead.RunAsync(source, parallelisms: [1, 1, 1, 1, 1], recordsPerReaderPerPhase: 2);

        Assert.Equal(
            ["a.txt:1:a1", "a.txt:2:a2", "a.txt:3:", "a.txt:4:a4", "b.txt:1:b1", "b.txt:2:b2", "b.txt:3:b3"],
            lines.Select(l => $"{Path.GetFileName(l.Path)}:{l.LineNumber}:{l.Text}"));
        Assert.Equal(3, final.Count);
    }

    [Fact]
    public async Task NumberedLines_RestoredPositionWithoutLineNumber_CountsTheLinesBeforeIt()
    {
        string path = _temp.Combine("count.txt");
        await File.WriteAllTextAsync(path, "l1\r\nl2\nl3\nl4\n");
        var source = FileSource.NumberedLines(path);
        var split = (FileSplit)Assert.Single(source.CreateSplits(1)) with { Position = 7 };

        var lines = new CollectingOutput<TextLine>();
        await using var reader = source.CreateReader(new SourceReaderContext(0, 1, [split]));
        await SourceTestHarness.DrainAsync(reader, lines, CancellationToken.None);

        Assert.Equal([(3L, "l3"), (4L, "l4")], lines.Values.Select(l => (l.LineNumber, l.Text)));
    }

    [Fact]
    public async Task Backlog_IsTheBytesLeftAndAsManyLinesAsTheyHold_AndNothingOnceAllIsRead()
    {
        string path = _temp.Combine("backlog.txt");
        await File.WriteAllTextAsync(path, string.Concat(Enumerable.Range(0, 100).Select(i => $"{i:D3}\n")));
        var source = FileSource.Lines(path);
        await using var reader = source.CreateReader(new SourceReaderContext(0, 1, source.CreateSplits(1)));

        // No line read yet: the bytes are known, the lines they hold are not.
        Assert.Equal(new SourceBacklog(null, 400, 1), reader.Backlog);
        Assert.Equal(ReadStatus.MoreAvailable, await reader.ReadAsync(new CollectingOutput<string>(), 30, CancellationToken.None));
        Assert.Equal(new SourceBacklog(70, 280, 1), reader.Backlog);

        await SourceTestHarness.DrainAsync(reader, new CollectingOutput<string>(), CancellationToken.None);
        Assert.Equal(new SourceBacklog(0, 0, 0), reader.Backlog);
    }

    [Fact]
    public async Task Reader_FinishedSplit_ReadsNothingEvenWhenTheFileIsGone()
    {
        string path = _temp.Combine("gone.txt");
        await File.WriteAllTextAsync(path, "x\n");
        var source = FileSource.Lines(path);
        var split = (FileSplit)Assert.Single(source.CreateSplits(1)) with { Position = 2, Finished = true };
        File.Delete(path);

        var lines = new CollectingOutput<string>();
        await using var reader = source.CreateReader(new SourceReaderContext(0, 1, [split]));

        Assert.Equal(ReadStatus.End, await reader.ReadAsync(lines, 10, CancellationToken.None));
        Assert.Empty(lines.Values);
        Assert.Equal([split], reader.SnapshotSplits());
    }

    [Fact]
    public void CreateReader_PositionBeforeTheRangeStart_ThrowsNamingTheSplit()
    {
        var split = new FileSplit("/data/x.txt:100-200", "/data/x.txt", 100, 200, Position: 50);

        var error = Assert.Throws<ArgumentException>(() => FileSource.Lines("/data/x.txt").CreateReader(new SourceReaderContext(0, 1, [split])));

        Assert.Contains("'/data/x.txt:100-200'", error.Message);
        Assert.Contains("position 50", error.Message);
    }

    [Fact]
    public void SplitSerializer_RoundTripsTheProgress()
    {
        var split = new FileSplit("/d/f:0-10", "/d/f", 0, 10, Position: 4, LineNumber: 2);
        var source = FileSource.NumberedLines("/d/f");

        Assert.Equal(split, CheckpointedRead.RoundTrip(source, split));
        Assert.Equal(split with { Finished = true, LineNumber = null }, CheckpointedRead.RoundTrip(source, split with { Finished = true, LineNumber = null }));
    }

    /// <summary>
    /// Builds 3,600,000 bytes of varied lines (UTF-8, CRLF, empty lines) in which byte 1,199,999 is a '\n',
    /// a line runs across byte 2,400,000, and the last line has no newline.
    /// </summary>
    private static byte[] BuildBigFile()
    {
        var random = new Random(42);
        var content = new MemoryStream(BigFileLength);
        string[] words = ["alpha", "béta", "γάμμα", "日本語", "", "x"];

        void Append(string text, string ending)
        {
            content.Write(Encoding.UTF8.GetBytes(text));
            content.Write(Encoding.UTF8.GetBytes(ending));
        }

        void FillUntil(long end)
        {
            while (content.Length + 1000 < end)
            {
                var line = new StringBuilder();
                int wordCount = random.Next(0, 12);
                for (int i = 0; i < wordCount; i++)
                {
                    line.Append(words[random.Next(words.Length)]).Append(' ').Append(random.Next());
                }

                Append(line.ToString(), random.Next(3) == 0 ? "\r\n" : "\n");
            }

            // Pad with a line that ends exactly at `end`.
            Append(new string('p', (int)(end - content.Length - 1)), "\n");
        }

        FillUntil(FirstBoundary);
        FillUntil(SecondBoundary - 50);
        Append(new string('s', 100), "\r\n");
        FillUntil(BigFileLength - 20);
        Append("tail-without-newline", string.Empty);

        Assert.Equal(BigFileLength, content.Length);
        return content.ToArray();
    }

    private static List<(long LineNumber, string Text)> ExpectedLines(byte[] content)
    {
        // The content does not end with '\n', so splitting on it gives exactly the lines.
        return Encoding.UTF8.GetString(content)
            .Split('\n')
            .Select((line, index) => ((long)index + 1, line.EndsWith('\r') ? line[..^1] : line))
            .ToList();
    }
}
