using OrleansStream.Api.Connectors;
using OrleansStream.Connectors.Files;

namespace OrleansStream.Tests.Connectors;

public sealed class RowFormatFileSinkTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private string Output => _temp.Combine("out");

    [Fact]
    public async Task PrepareCommit_StagesAHiddenFile_AndCommitMakesItVisible()
    {
        var sink = FileSink.ForRowFormat<int>(Output, i => $"n={i}");
        var context = Context(subtask: 0, parallelism: 1);
        await using var writer = Writer(sink, context);

        writer.Write(1, 0);
        writer.Write(2, 0);
        writer.Flush();
        Assert.Empty(VisibleFiles());
        var committable = Committable(1, context, writer.PrepareCommit(1));

        Assert.Empty(VisibleFiles());
        Assert.Equal([".part-job-7-1-0-0.inprogress"], AllFiles());
        await using var committer = sink.CreateCommitter(context);
        await committer.CommitAsync(committable, CancellationToken.None);

        Assert.Equal(["part-job-7-1-0-0"], AllFiles());
        Assert.Equal("n=1\nn=2\n", await File.ReadAllTextAsync(Path.Combine(Output, "part-job-7-1-0-0")));
    }

    [Fact]
    public async Task CommitAsync_Twice_AlsoFromAnotherSubtask_LeavesOneFile()
    {
        var sink = FileSink.ForRowFormat<string>(Output).WithPartPrefix("out").WithPartSuffix(".txt");
        var context = Context(subtask: 1, parallelism: 2);
        await using var writer = Writer(sink, context);
        writer.Write("a", 0);
        var committable = Committable(5, context, writer.PrepareCommit(5));

        await using (var committer = sink.CreateCommitter(context))
        {
            await committer.CommitAsync(committable, CancellationToken.None);
            await committer.CommitAsync(committable, CancellationToken.None);
        }

        await using (var other = sink.CreateCommitter(Context(subtask: 0, parallelism: 3, attempt: 2)))
        {
            await other.CommitAsync(committable, CancellationToken.None);
        }

        Assert.Equal(["out-job-7-1-1-0.txt"], AllFiles());
        Assert.Equal(["a"], await ReadVisibleLinesAsync());
    }

    [Fact]
    public async Task PrepareCommit_NothingWritten_ReturnsNull()
    {
        var sink = FileSink.ForRowFormat<int>(Output);
        await using var writer = Writer(sink, Context(0, 1));

        Assert.Null(writer.PrepareCommit(1));
        writer.Write(1, 0);
        Assert.NotNull(writer.PrepareCommit(2));
        Assert.Null(writer.PrepareCommit(3));
    }

    [Fact]
    public async Task TwoSubtasks_SeveralCheckpoints_VisibleFilesHoldExactlyTheCommittedRecords()
    {
        var sink = FileSink.ForRowFormat<int>(Output);
        var contexts = new[] { Context(0, 2), Context(1, 2) };
        var writers = contexts.Select(c => Writer(sink, c)).ToArray();
        var committables = new List<SinkCommittable>();
        int next = 0;
        for (long checkpoint = 1; checkpoint <= 3; checkpoint++)
        {
            for (int s = 0; s < 2; s++)
            {
                for (int i = 0; i < 3; i++)
                {
                    writers[s].Write(next++, 0);
                }

                committables.Add(Committable(checkpoint, contexts[s], writers[s].PrepareCommit(checkpoint)));
            }
        }

        // Checkpoint 4 never completes: its records stay staged and the writers are closed by the failure.
        writers[0].Write(1000, 0);
        Assert.NotNull(writers[0].PrepareCommit(4));
        writers[1].Write(1001, 0);
        foreach (var writer in writers)
        {
            await writer.DisposeAsync();
        }

        await using var committer = sink.CreateCommitter(contexts[0]);
        foreach (var committable in committables)
        {
            await committer.CommitAsync(committable, CancellationToken.None);
        }

        Assert.Equal(6, VisibleFiles().Count);
        Assert.Equal([".part-job-7-1-0-3.inprogress"], AllFiles().Where(f => f.StartsWith('.')));
        Assert.Equal(Enumerable.Range(0, 18).Select(i => i.ToString()), (await ReadVisibleLinesAsync()).OrderBy(int.Parse));
    }

    [Fact]
    public async Task DisposeAsync_WithoutPrepareCommit_DeletesTheOpenFileAndLeavesNothing()
    {
        var sink = FileSink.ForRowFormat<int>(Output);
        var writer = Writer(sink, Context(0, 1));
        writer.Write(1, 0);
        writer.Flush();
        Assert.Single(AllFiles());

        await writer.DisposeAsync();

        Assert.Empty(AllFiles());
    }

    [Fact]
    public async Task FailureAndRescaledRestore_RecommitsTheLastCheckpoint_AndTheOutputHasEveryRecordOnce()
    {
        var sink = FileSink.ForRowFormat<int>(Output);

        // Attempt 1 with two subtasks: checkpoint 1 completes and is committed; checkpoint 2 is pre-committed but the
        // job fails before it completes; records after it were still being written.
        var attempt1 = new[] { Context(0, 2, attempt: 1), Context(1, 2, attempt: 1) };
        var checkpoint1 = new List<SinkCommittable>();
        await using (var committer = sink.CreateCommitter(attempt1[0]))
        {
            for (int s = 0; s < 2; s++)
            {
                await using var writer = Writer(sink, attempt1[s]);
                writer.Write((s * 100) + 1, 0);
                writer.Write((s * 100) + 2, 0);
                checkpoint1.Add(Committable(1, attempt1[s], writer.PrepareCommit(1)));
                writer.Write((s * 100) + 3, 0);
                Assert.NotNull(writer.PrepareCommit(2));
                writer.Write((s * 100) + 4, 0);
            }

            // The commit of checkpoint 1 reached only subtask 0 before the failure.
            await committer.CommitAsync(checkpoint1[0], CancellationToken.None);
        }

        // Attempt 2 restores checkpoint 1 on three subtasks: the restored committables are committed again (spread
        // over the new subtasks) and the sources replay from checkpoint 1, so records 3 and 4 come again.
        var attempt2 = Enumerable.Range(0, 3).Select(s => Context(s, 3, attempt: 2)).ToArray();
        for (int i = 0; i < checkpoint1.Count; i++)
        {
            await using var committer = sink.CreateCommitter(attempt2[i % 3]);
            await committer.CommitAsync(checkpoint1[i], CancellationToken.None);
        }

        int[][] replayed = [[3, 103], [4], [104]];
        for (int s = 0; s < 3; s++)
        {
            await using var writer = Writer(sink, attempt2[s]);
            foreach (int value in replayed[s])
            {
                writer.Write(value, 0);
            }

            var committable = Committable(long.MaxValue, attempt2[s], writer.PrepareCommit(long.MaxValue));
            await using var committer = sink.CreateCommitter(attempt2[s]);
            await committer.CommitAsync(committable, CancellationToken.None);
        }

        Assert.Equal([1, 2, 3, 4, 101, 102, 103, 104], (await ReadVisibleLinesAsync()).Select(int.Parse).Order());
        Assert.Equal(2, AllFiles().Count(f => f.EndsWith(".inprogress", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task CommitAsync_StagedFileAndFinalFileMissing_ThrowsNamingTheFile()
    {
        var sink = FileSink.ForRowFormat<int>(Output);
        var context = Context(0, 1);
        await using var writer = Writer(sink, context);
        writer.Write(1, 0);
        var committable = Committable(3, context, writer.PrepareCommit(3));
        File.Delete(Path.Combine(Output, ".part-job-7-1-0-0.inprogress"));
        await using var committer = sink.CreateCommitter(context);

        var error = await Assert.ThrowsAsync<IOException>(() => committer.CommitAsync(committable, CancellationToken.None).AsTask());

        Assert.Contains(Path.Combine(Output, ".part-job-7-1-0-0.inprogress"), error.Message);
        Assert.Contains(Path.Combine(Output, "part-job-7-1-0-0"), error.Message);
        Assert.Contains("checkpoint 3", error.Message);
    }

    [Fact]
    public async Task CommitAsync_BytesOfAnotherSink_ThrowsInvalidData()
    {
        await using var committer = FileSink.ForRowFormat<int>(Output).CreateCommitter(Context(0, 1));

        var error = await Assert.ThrowsAsync<InvalidDataException>(
            () => committer.CommitAsync(new SinkCommittable(9, 0, 1, [1, 2, 3]), CancellationToken.None).AsTask());

        Assert.Contains("checkpoint 9", error.Message);
    }

    [Fact]
    public void CreateWriter_JobIdWithOddCharacters_GivesAPortableFileName()
    {
        var sink = FileSink.ForRowFormat<int>(Output);
        var writer = (ITransactionalSinkWriter<int>)sink.CreateWriter(new SinkContext("my job:ä", "sink", 0, 1, 1));
        writer.Write(1, 0);

        writer.PrepareCommit(1);

        Assert.Equal([".part-my_job__-1-0-0.inprogress"], AllFiles());
    }

    [Theory]
    [InlineData("", "")]
    [InlineData(".hidden", "")]
    [InlineData("a/b", "")]
    [InlineData("part", "x/y")]
    [InlineData("part", ".inprogress")]
    public void WithPartPrefixOrSuffix_Invalid_ThrowsNamingTheOption(string prefix, string suffix)
    {
        var sink = FileSink.ForRowFormat<int>(Output);

        var error = Assert.Throws<ArgumentException>(() => sink.WithPartPrefix(prefix).WithPartSuffix(suffix));

        Assert.Equal(prefix == "part" ? "suffix" : "prefix", error.ParamName);
    }

    private static SinkContext Context(int subtask, int parallelism, int attempt = 1) => new("job-7", "sink", subtask, parallelism, attempt);

    private static ITransactionalSinkWriter<T> Writer<T>(RowFormatFileSink<T> sink, SinkContext context)
        => Assert.IsAssignableFrom<ITransactionalSinkWriter<T>>(sink.CreateWriter(context));

    private static SinkCommittable Committable(long checkpointId, SinkContext context, byte[]? data)
        => new(checkpointId, context.SubtaskIndex, context.Attempt, Assert.IsType<byte[]>(data));

    private List<string> AllFiles()
        => Directory.GetFiles(Output).Select(f => Path.GetFileName(f)).Order(StringComparer.Ordinal).ToList();

    private List<string> VisibleFiles() => AllFiles().Where(f => !f.StartsWith('.')).ToList();

    private async Task<List<string>> ReadVisibleLinesAsync()
    {
        var lines = new List<string>();
        foreach (string file in VisibleFiles())
        {
            lines.AddRange(await File.ReadAllLinesAsync(Path.Combine(Output, file)));
        }

        return lines;
    }
}
