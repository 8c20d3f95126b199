using OrleansStream.Api.Connectors;
using OrleansStream.Connectors.Redis;
using OrleansStream.Tests.Fixtures;
using StackExchange.Redis;

namespace OrleansStream.Tests.Connectors;

public sealed class RedisStreamSinkTests(RedisServer redis) : IClassFixture<RedisServer>, IAsyncLifetime
{
    private readonly string _job = "job-" + Guid.NewGuid().ToString("N")[..8];
    private ConnectionMultiplexer? _connection;

    private IDatabase Database => _connection!.GetDatabase();

    private string Stream => _job + ":out";

    // Admin mode for CONFIG SET in one test; the sink under test uses its own connection.
    public async Task InitializeAsync() => _connection = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString + ",allowAdmin=true");

    public async Task DisposeAsync() => await _connection!.DisposeAsync();

    [Fact]
    public async Task PrepareCommit_StagesEntries_AndCommitAddsThemInOrder()
    {
        var sink = RedisStreamSink.Strings<int>(redis.ConnectionString, Stream, i => $"n={i}");
        var context = Context(0, 1);
        await using var writer = Writer(sink, context);
        writer.Write(1, 0);
        writer.Write(2, 0);
        writer.Flush();
        var committable = Committable(3, context, writer.PrepareCommit(3));

        Assert.Equal(0, await Database.StreamLengthAsync(Stream));
        await using var committer = sink.CreateCommitter(context);
        await committer.CommitAsync(committable, CancellationToken.None);

        Assert.Equal(["n=1", "n=2"], await ReadValuesAsync());
        var ttl = await Database.KeyTimeToLiveAsync($"orleansstream:committed:{_job}:sink:3:0:1");
        Assert.InRange(ttl!.Value, TimeSpan.FromDays(7) - TimeSpan.FromMinutes(1), TimeSpan.FromDays(7));
    }

    [Fact]
    public async Task CommitAsync_Twice_AlsoFromAnotherSubtask_AddsTheEntriesOnce()
    {
        var sink = RedisStreamSink.Strings<string>(redis.ConnectionString, Stream);
        var context = Context(1, 2);
        await using var writer = Writer(sink, context);
        writer.Write("a", 0);
        writer.Write("b", 0);
        var committable = Committable(4, context, writer.PrepareCommit(4));

        await using (var committer = sink.CreateCommitter(context))
        {
            await committer.CommitAsync(committable, CancellationToken.None);
            await committer.CommitAsync(committable, CancellationToken.None);
        }

        await using (var other = sink.CreateCommitter(Context(0, 3, attempt: 2)))
        {
            await other.CommitAsync(committable, CancellationToken.None);
        }

        Assert.Equal(["a", "b"], await ReadValuesAsync());
    }

    [Fact]
    public async Task TwoSubtasks_EachCommitAddsItsOwnEntries()
    {
        var sink = RedisStreamSink.Create<(string Word, int Count)>(
            redis.ConnectionString, Stream, r => [new NameValueEntry("word", r.Word), new NameValueEntry("count", r.Count)]);
        var contexts = new[] { Context(0, 2), Context(1, 2) };
        var committables = new List<SinkCommittable>();
        for (int s = 0; s < 2; s++)
        {
            await using var writer = Writer(sink, contexts[s]);
            writer.Write(($"w{s}", s + 1), 0);
            writer.Write(($"v{s}", s + 10), 0);
            committables.Add(Committable(1, contexts[s], writer.PrepareCommit(1)));
        }

        await using var committer = sink.CreateCommitter(contexts[0]);
        foreach (var committable in committables)
        {
            await committer.CommitAsync(committable, CancellationToken.None);
        }

        var entries = await Database.StreamRangeAsync(Stream);
        Assert.Equal(
            ["w0=1", "v0=10", "w1=2", "v1=11"],
            entries.Select(e => $"{e["word"]}={e["count"]}"));
    }

    [Fact]
    public async Task FailureBetweenPrepareAndCommit_RestoredJobRecommits_AndEveryRecordIsAddedOnce()
    {
        var sink = RedisStreamSink.Strings<int>(redis.ConnectionString, Stream);

        // Attempt 1, two subtasks: checkpoint 1 is pre-committed by both, its commit reaches only subtask 0; checkpoint 2 is
        // pre-committed but never completes; a record after it is still buffered when the job fails.
        var attempt1 = new[] { Context(0, 2, attempt: 1), Context(1, 2, attempt: 1) };
        var checkpoint1 = new List<SinkCommittable>();
        for (int s = 0; s < 2; s++)
        {
            await using var writer = Writer(sink, attempt1[s]);
            writer.Write((s * 100) + 1, 0);
            checkpoint1.Add(Committable(1, attempt1[s], writer.PrepareCommit(1)));
            writer.Write((s * 100) + 2, 0);
            Assert.NotNull(writer.PrepareCommit(2));
            writer.Write((s * 100) + 3, 0);
        }

        await using (var committer = sink.CreateCommitter(attempt1[0]))
        {
            await committer.CommitAsync(checkpoint1[0], CancellationToken.None);
        }

        // Attempt 2 restores checkpoint 1 on three subtasks, commits its committables again and replays what came after.
        var attempt2 = Enumerable.Range(0, 3).Select(s => Context(s, 3, attempt: 2)).ToArray();
        for (int i = 0; i < checkpoint1.Count; i++)
        {
            await using var committer = sink.CreateCommitter(attempt2[(i + 1) % 3]);
            await committer.CommitAsync(checkpoint1[i], CancellationToken.None);
        }

        int[][] replayed = [[2, 102], [3], [103]];
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

        Assert.Equal(["1", "101", "2", "102", "3", "103"], await ReadValuesAsync());
    }

    [Fact]
    public async Task CommitAsync_KeyHoldsAString_FailsNamingTheStream_AndSetsNoMarker()
    {
        var sink = RedisStreamSink.Strings<int>(redis.ConnectionString, Stream).WithCommitMarkerTtl(null);
        var context = Context(0, 1);
        await using var writer = Writer(sink, context);
        writer.Write(7, 0);
        var committable = Committable(2, context, writer.PrepareCommit(2));
        await Database.StringSetAsync(Stream, "not a stream");
        await using var committer = sink.CreateCommitter(context);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => committer.CommitAsync(committable, CancellationToken.None).AsTask());

        Assert.Contains($"'{Stream}'", error.Message);
        Assert.Contains("checkpoint 2", error.Message);
        string marker = $"orleansstream:committed:{_job}:sink:2:0:1";
        Assert.False(await Database.KeyExistsAsync(marker));

        await Database.KeyDeleteAsync(Stream);
        await committer.CommitAsync(committable, CancellationToken.None);
        Assert.Equal(["7"], await ReadValuesAsync());
        Assert.Null(await Database.KeyTimeToLiveAsync(marker));
        Assert.True(await Database.KeyExistsAsync(marker));
    }

    [Fact]
    public async Task WithMaxLength_TrimsTheStreamAsEntriesAreAdded()
    {
        // One entry per stream node makes the approximate trim ('~') exact.
        await Database.ExecuteAsync("CONFIG", "SET", "stream-node-max-entries", "1");
        try
        {
            var sink = RedisStreamSink.Strings<int>(redis.ConnectionString, Stream).WithMaxLength(3);
            var context = Context(0, 1);
            await using var writer = Writer(sink, context);
            for (int i = 0; i < 10; i++)
            {
                writer.Write(i, 0);
            }

            await using var committer = sink.CreateCommitter(context);
            await committer.CommitAsync(Committable(1, context, writer.PrepareCommit(1)), CancellationToken.None);

            Assert.Equal(["7", "8", "9"], await ReadValuesAsync());
        }
        finally
        {
            await Database.ExecuteAsync("CONFIG", "SET", "stream-node-max-entries", "100");
        }
    }

    [Fact]
    public async Task MarkerKey_EscapesSeparatorsInIds_AndUsesThePrefix()
    {
        var sink = RedisStreamSink.Strings<int>(redis.ConnectionString, Stream).WithKeyPrefix("{orders}:os");
        var context = new SinkContext("a:b%c", "sink:1", 2, 3, 4);
        await using var writer = Writer(sink, context);
        writer.Write(1, 0);
        var committable = Committable(9, context, writer.PrepareCommit(9));
        await using var committer = sink.CreateCommitter(context);

        await committer.CommitAsync(committable, CancellationToken.None);

        Assert.True(await Database.KeyExistsAsync("{orders}:os:committed:a%3Ab%25c:sink%3A1:9:2:4"));
    }

    [Fact]
    public async Task Write_MappingGivesNoFields_ThrowsNamingTheStream()
    {
        var sink = RedisStreamSink.Create<int>(redis.ConnectionString, Stream, _ => []);
        await using var writer = Writer(sink, Context(0, 1));

        var error = Assert.Throws<ArgumentException>(() => writer.Write(5, 0));

        Assert.Contains($"'{Stream}'", error.Message);
        Assert.Null(writer.PrepareCommit(1));
    }

    [Fact]
    public async Task CommitAsync_BytesOfAnotherSink_ThrowsInvalidData()
    {
        await using var committer = RedisStreamSink.Strings<int>(redis.ConnectionString, Stream).CreateCommitter(Context(0, 1));

        var error = await Assert.ThrowsAsync<InvalidDataException>(
            () => committer.CommitAsync(new SinkCommittable(6, 0, 1, [9, 9, 9]), CancellationToken.None).AsTask());

        Assert.Contains("checkpoint 6", error.Message);
    }

    private SinkContext Context(int subtask, int parallelism, int attempt = 1) => new(_job, "sink", subtask, parallelism, attempt);

    private static ITransactionalSinkWriter<T> Writer<T>(ITransactionalSink<T> sink, SinkContext context)
        => Assert.IsAssignableFrom<ITransactionalSinkWriter<T>>(sink.CreateWriter(context));

    private static SinkCommittable Committable(long checkpointId, SinkContext context, byte[]? data)
        => new(checkpointId, context.SubtaskIndex, context.Attempt, Assert.IsType<byte[]>(data));

    private async Task<List<string>> ReadValuesAsync()
        => (await Database.StreamRangeAsync(Stream)).Select(e => (string)e["value"]!).ToList();
}
