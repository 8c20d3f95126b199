using OrleansStream.Api.Connectors;
using OrleansStream.Connectors.Redis;
using OrleansStream.Tests.Fixtures;
using StackExchange.Redis;

namespace OrleansStream.Tests.Connectors;

public sealed class RedisStreamSourceTests(RedisServer redis) : IClassFixture<RedisServer>, IAsyncLifetime
{
    private readonly string _prefix = "source-" + Guid.NewGuid().ToString("N")[..8] + ":";
    private ConnectionMultiplexer? _connection;

    private IDatabase Database => _connection!.GetDatabase();

    public async Task InitializeAsync() => _connection = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);

    public async Task DisposeAsync() => await _connection!.DisposeAsync();

    [Fact]
    public async Task Watcher_SeesAnEntryBeyondWhatTheReaderRead_AndNothingForAReaderWithoutStreams()
    {
        string key = await AddAsync("w", 0, 3);
        var source = RedisStreamSource.Strings(redis.ConnectionString, key);
        await using var watcher = source.CreateInputWatcher();
        await using var reader = source.CreateReader(new SourceReaderContext(0, 1, source.CreateSplits(1)));
        Assert.True(await watcher.HasInputSinceAsync(source.MarkOf(reader.SnapshotSplits()), CancellationToken.None));

        var output = new CollectingOutput<string>();
        while (await reader.ReadAsync(output, 10, CancellationToken.None) == ReadStatus.MoreAvailable)
        {
        }

        string mark = source.MarkOf(reader.SnapshotSplits());
        Assert.Equal(3, output.Values.Count);
        Assert.False(await watcher.HasInputSinceAsync(mark, CancellationToken.None));

        await AddAsync("w", 3, 1);
        Assert.True(await watcher.HasInputSinceAsync(mark, CancellationToken.None));
        Assert.False(await watcher.HasInputSinceAsync(source.MarkOf([]), CancellationToken.None));
    }

    [Fact]
    public async Task Bounded_TwoStreamsOnTwoSubtasks_ReadsEveryEntryOnce()
    {
        string a = await AddAsync("a", 0, 5);
        string b = await AddAsync("b", 0, 3);
        var source = RedisStreamSource.Strings(redis.ConnectionString, a, b).AsBounded();

        var values = await SourceTestHarness.ReadAll(source, parallelism: 2);

        Assert.Equal([$"{a}#0", $"{a}#1", $"{a}#2", $"{a}#3", $"{a}#4", $"{b}#0", $"{b}#1", $"{b}#2"], values);
        Assert.True(source.IsBounded);
    }

    [Fact]
    public async Task Bounded_EntriesAddedAfterReadingBegan_AreNotRead()
    {
        string key = await AddAsync("s", 0, 5);
        var source = RedisStreamSource.Strings(redis.ConnectionString, key).AsBounded();
        var output = new CollectingOutput<string>();
        await using var reader = source.CreateReader(new SourceReaderContext(0, 1, source.CreateSplits(1)));

        Assert.Equal(ReadStatus.MoreAvailable, await reader.ReadAsync(output, 2, CancellationToken.None));
        await AddAsync("s", 5, 3);
        await SourceTestHarness.DrainAsync(reader, output, CancellationToken.None);

        Assert.Equal(Enumerable.Range(0, 5).Select(i => $"{key}#{i}"), output.Values);
        var split = Assert.IsType<RedisStreamSplit>(Assert.Single(reader.SnapshotSplits()));
        Assert.True(split.Finished);
        Assert.Equal(split.LastReadId, split.EndId);
    }

    [Fact]
    public async Task Bounded_SnapshotsAndRestoresOnOtherParallelisms_GiveEveryEntryOnceInStreamOrder()
    {
        string[] keys = [await AddAsync("x", 0, 100), await AddAsync("y", 0, 60), await AddAsync("z", 0, 1)];
        var source = RedisStreamSource.Strings(redis.ConnectionString, keys).AsBounded();

        var (values, final) = await CheckpointedRead.RunAsync(source, parallelisms: [2, 3, 1, 2], recordsPerReaderPerPhase: 17);

        Assert.Equal(161, values.Count);
        foreach (var (key, count) in keys.Zip([100, 60, 1]))
        {
            Assert.Equal(Enumerable.Range(0, count).Select(i => $"{key}#{i}"), values.Where(v => v.StartsWith(key + "#", StringComparison.Ordinal)));
        }

        Assert.All(final.Cast<RedisStreamSplit>(), s => Assert.True(s.Finished, s.SplitId));
    }

    [Fact]
    public async Task Unbounded_PollsWithoutBlocking_AndARestoredReaderContinuesAfterTheLastEntry()
    {
        string key = _prefix + "live";
        var source = RedisStreamSource.Strings(redis.ConnectionString, key);
        var first = new CollectingOutput<string>();
        IReadOnlyList<SourceSplit> snapshot;
        await using (var reader = source.CreateReader(new SourceReaderContext(0, 1, source.CreateSplits(1))))
        {
            Assert.Equal(ReadStatus.NothingAvailable, await reader.ReadAsync(first, 10, CancellationToken.None));
            await AddAsync("live", 0, 4);
            Assert.Equal(ReadStatus.MoreAvailable, await reader.ReadAsync(first, 3, CancellationToken.None));
            snapshot = reader.SnapshotSplits();
            Assert.Equal(ReadStatus.NothingAvailable, await reader.ReadAsync(new CollectingOutput<string>(), 10, CancellationToken.None));
        }

        await AddAsync("live", 4, 2);
        var rest = new CollectingOutput<string>();
        await using (var restored = source.CreateReader(new SourceReaderContext(0, 1, [CheckpointedRead.RoundTrip(source, Assert.Single(snapshot))])))
        {
            Assert.Equal(ReadStatus.NothingAvailable, await restored.ReadAsync(rest, 10, CancellationToken.None));
            Assert.Equal(ReadStatus.NothingAvailable, await restored.ReadAsync(rest, 10, CancellationToken.None));
        }

        Assert.False(source.IsBounded);
        Assert.Equal([$"{key}#0", $"{key}#1", $"{key}#2"], first.Values);
        Assert.Equal([$"{key}#3", $"{key}#4", $"{key}#5"], rest.Values);
    }

    [Fact]
    public async Task Backlog_IsTheEntriesAddedAndNotRead_AndARestoredReaderGoesOnCounting()
    {
        string key = await AddAsync("lag", 0, 50);
        var source = RedisStreamSource.Strings(redis.ConnectionString, key);
        await using var reader = source.CreateReader(new SourceReaderContext(0, 1, source.CreateSplits(1)));
        Assert.Null(reader.Backlog);

        // Measured as the read began: 50 added, none read.
        Assert.Equal(ReadStatus.MoreAvailable, await reader.ReadAsync(new CollectingOutput<string>(), 20, CancellationToken.None));
        Assert.Equal(new SourceBacklog(50, null, 1), reader.Backlog);
        var split = Assert.IsType<RedisStreamSplit>(Assert.Single(reader.SnapshotSplits()));
        Assert.Equal(20, split.EntriesRead);

        // 60 added, 20 read by the reader the checkpoint came from.
        await AddAsync("lag", 50, 10);
        await using var restored = source.CreateReader(new SourceReaderContext(0, 1, [CheckpointedRead.RoundTrip(source, split)]));
        await restored.ReadAsync(new CollectingOutput<string>(), 5, CancellationToken.None);
        Assert.Equal(new SourceBacklog(40, null, 1), restored.Backlog);
    }

    [Fact]
    public async Task ManyStreamsAndSmallBatches_StreamsTakeTurnsAndAllAreRead()
    {
        var keys = new List<string>();
        for (int i = 0; i < 5; i++)
        {
            keys.Add(await AddAsync($"k{i}", 0, 3));
        }

        var source = RedisStreamSource.Strings(redis.ConnectionString, [.. keys]).AsBounded();
        var output = new CollectingOutput<string>();
        await using var reader = source.CreateReader(new SourceReaderContext(0, 1, source.CreateSplits(1)));

        await SourceTestHarness.DrainAsync(reader, output, CancellationToken.None, maxRecords: 2);

        Assert.Equal(keys.SelectMany(k => Enumerable.Range(0, 3).Select(i => $"{k}#{i}")).Order(StringComparer.Ordinal), output.Values.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Create_WithEntryIdTimestamps_MapsFieldsAndStampsRecordsWithTheIdMilliseconds()
    {
        string key = _prefix + "events";
        await Database.StreamAddAsync(key, [new NameValueEntry("user", "ann"), new NameValueEntry("clicks", 3)], "1700000000000-0");
        await Database.StreamAddAsync(key, [new NameValueEntry("user", "bob"), new NameValueEntry("clicks", 5)], "1700000000123-7");
        var source = RedisStreamSource
            .Create(redis.ConnectionString, [key], entry => (User: entry["user"], Clicks: int.Parse(entry["clicks"]!), entry.Id, entry.StreamKey))
            .AsBounded()
            .WithEntryIdTimestamps();
        var output = new TimestampedOutput<(string? User, int Clicks, string Id, string StreamKey)>();
        await using var reader = source.CreateReader(new SourceReaderContext(0, 1, source.CreateSplits(1)));

        await SourceTestHarness.DrainAsync(reader, output, CancellationToken.None);

        Assert.Equal(
            [(("ann", 3, "1700000000000-0", key), 1700000000000L), (("bob", 5, "1700000000123-7", key), 1700000000123L)],
            output.Values.Select(v => (v.Value, v.Timestamp)));
    }

    [Fact]
    public async Task Strings_EntryWithoutValueField_ThrowsNamingTheStreamAndTheEntry()
    {
        string key = _prefix + "odd";
        await Database.StreamAddAsync(key, [new NameValueEntry("other", "x")], "5-1");
        var source = RedisStreamSource.Strings(redis.ConnectionString, key).AsBounded();
        await using var reader = source.CreateReader(new SourceReaderContext(0, 1, source.CreateSplits(1)));

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => reader.ReadAsync(new CollectingOutput<string>(), 10, CancellationToken.None).AsTask());

        Assert.Contains($"'{key}'", error.Message);
        Assert.Contains("5-1", error.Message);
        Assert.Contains("other", error.Message);
    }

    [Fact]
    public async Task Bounded_MissingStream_EndsAtOnceWithAFinishedSplit()
    {
        var source = RedisStreamSource.Strings(redis.ConnectionString, _prefix + "missing").AsBounded();
        await using var reader = source.CreateReader(new SourceReaderContext(0, 1, source.CreateSplits(4)));

        Assert.Equal(ReadStatus.End, await reader.ReadAsync(new CollectingOutput<string>(), 10, CancellationToken.None));
        Assert.Equal(
            new RedisStreamSplit($"redis-stream:{_prefix}missing", _prefix + "missing", "0-0", "0-0", Finished: true),
            Assert.Single(reader.SnapshotSplits()));
    }

    [Theory]
    [InlineData("abc=def", "abc")]
    [InlineData("localhost,connectTimeout=soon", "connectTimeout")]
    [InlineData("localhost:notaport", "names no server")]
    public void Strings_InvalidConnectionString_ThrowsNamingTheProblem(string connectionString, string expected)
    {
        var error = Assert.Throws<ArgumentException>(() => RedisStreamSource.Strings(connectionString, "s"));

        Assert.Contains(expected, error.Message);
        Assert.Equal("connectionString", error.ParamName);
    }

    [Fact]
    public void Strings_SameKeyTwice_ThrowsNamingTheKey()
    {
        var error = Assert.Throws<ArgumentException>(() => RedisStreamSource.Strings(redis.ConnectionString, "a", "b", "a"));

        Assert.Contains("'a'", error.Message);
    }

    [Fact]
    public void CreateReader_SplitWithMalformedId_ThrowsNamingTheSplit()
    {
        var source = RedisStreamSource.Strings(redis.ConnectionString, "s");
        var split = new RedisStreamSplit("redis-stream:s", "s", LastReadId: "yesterday");

        var error = Assert.Throws<ArgumentException>(() => source.CreateReader(new SourceReaderContext(0, 1, [split])));

        Assert.Contains("'redis-stream:s'", error.Message);
        Assert.Contains("'yesterday'", error.Message);
    }

    /// <summary>Adds entries "{key}#{first}" … with field "value" to the stream {prefix}{name}; returns the key.</summary>
    private async Task<string> AddAsync(string name, int first, int count)
    {
        string key = _prefix + name;
        for (int i = first; i < first + count; i++)
        {
            await Database.StreamAddAsync(key, "value", $"{key}#{i}");
        }

        return key;
    }
}
