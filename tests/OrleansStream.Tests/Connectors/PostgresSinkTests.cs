using Npgsql;
using OrleansStream.Api.Connectors;
using OrleansStream.Connectors.Postgres;
using OrleansStream.Tests.Fixtures;

namespace OrleansStream.Tests.Connectors;

[Collection(PostgresCollection.Name)]
public sealed class PostgresSinkTests(PostgresServer postgres) : IAsyncLifetime
{
    private readonly string _job = "job-" + Guid.NewGuid().ToString("N")[..8];
    private string _connectionString = string.Empty;

    public async Task InitializeAsync()
    {
        _connectionString = await postgres.CreateDatabaseAsync("sink_" + Guid.NewGuid().ToString("N")[..12]);
        await ExecuteAsync(_connectionString, "CREATE TABLE word_counts (word text NOT NULL, n bigint NOT NULL)");
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task PrepareCommit_HoldsTheRows_AndCommitInsertsThemWithTheirCommitRow()
    {
        var sink = WordCounts();
        var context = Context(0, 1);
        await using var writer = Writer(sink, context);
        writer.Write(("a", 1), 0);
        writer.Write(("b", 2), 0);
        writer.Flush();
        var committable = Committable(5, context, writer.PrepareCommit(5));

        Assert.Empty(await WordCountsAsync());
        await using var committer = sink.CreateCommitter(context);
        await committer.CommitAsync(committable, CancellationToken.None);

        Assert.Equal(["a=1", "b=2"], await WordCountsAsync());
        Assert.Equal([$"{_job}/sink/0/1/5"], await CommitRowsAsync());
    }

    [Fact]
    public async Task CommitAsync_Twice_AlsoFromAnotherSubtask_InsertsTheRowsOnce()
    {
        var sink = WordCounts();
        var context = Context(1, 2);
        await using var writer = Writer(sink, context);
        writer.Write(("x", 10), 0);
        var committable = Committable(2, context, writer.PrepareCommit(2));

        await using (var committer = sink.CreateCommitter(context))
        {
            await committer.CommitAsync(committable, CancellationToken.None);
            await committer.CommitAsync(committable, CancellationToken.None);
        }

        await using (var other = sink.CreateCommitter(Context(0, 3, attempt: 2)))
        {
            await other.CommitAsync(committable, CancellationToken.None);
        }

        Assert.Equal(["x=10"], await WordCountsAsync());
        Assert.Equal([$"{_job}/sink/1/1/2"], await CommitRowsAsync());
    }

    [Fact]
    public async Task CommitAsync_ConcurrentlyOnAFreshDatabase_CreatesTheCommitsTableOnceAndInsertsTheRowsOnce()
    {
        string connectionString = await postgres.CreateDatabaseAsync("fresh_" + Guid.NewGuid().ToString("N")[..12]);
        await ExecuteAsync(connectionString, "CREATE TABLE word_counts (word text NOT NULL, n bigint NOT NULL)");
        var sink = PostgresSink.ForTable<(string Word, long N)>(connectionString, "word_counts", ["word", "n"], r => [r.Word, r.N]);
        var context = Context(0, 1);
        await using var writer = Writer(sink, context);
        for (int i = 0; i < 2500; i++)
        {
            writer.Write(($"w{i}", i), 0);
        }

        var committable = Committable(1, context, writer.PrepareCommit(1));
        var committers = Enumerable.Range(0, 4).Select(s => sink.CreateCommitter(Context(s, 4, attempt: 2))).ToList();

        await Task.WhenAll(committers.Select(c => c.CommitAsync(committable, CancellationToken.None).AsTask()));

        Assert.Equal(2500L, await ScalarAsync<long>(connectionString, "SELECT count(*) FROM word_counts"));
        Assert.Equal(2500L, await ScalarAsync<long>(connectionString, "SELECT count(DISTINCT word) FROM word_counts"));
        Assert.Equal(1L, await ScalarAsync<long>(connectionString, "SELECT count(*) FROM orleansstream_sink_commits"));
        foreach (var committer in committers)
        {
            await committer.DisposeAsync();
        }
    }

    [Fact]
    public async Task TwoSubtasks_EachCommitInsertsItsOwnRows()
    {
        var sink = WordCounts();
        var contexts = new[] { Context(0, 2), Context(1, 2) };
        var committables = new List<SinkCommittable>();
        for (int s = 0; s < 2; s++)
        {
            await using var writer = Writer(sink, contexts[s]);
            writer.Write(($"s{s}", s), 0);
            committables.Add(Committable(3, contexts[s], writer.PrepareCommit(3)));
        }

        await using var committer = sink.CreateCommitter(contexts[1]);
        foreach (var committable in committables)
        {
            await committer.CommitAsync(committable, CancellationToken.None);
        }

        Assert.Equal(["s0=0", "s1=1"], await WordCountsAsync());
        Assert.Equal([$"{_job}/sink/0/1/3", $"{_job}/sink/1/1/3"], await CommitRowsAsync());
    }

    [Fact]
    public async Task FailureBetweenPrepareAndCommit_RestoredJobRecommits_AndEveryRowIsInsertedOnce()
    {
        var sink = WordCounts();

        // Attempt 1, two subtasks: checkpoint 1 pre-committed by both, committed only for subtask 0 before the failure;
        // checkpoint 2 pre-committed but never completed; one more row still buffered.
        var attempt1 = new[] { Context(0, 2, attempt: 1), Context(1, 2, attempt: 1) };
        var checkpoint1 = new List<SinkCommittable>();
        for (int s = 0; s < 2; s++)
        {
            await using var writer = Writer(sink, attempt1[s]);
            writer.Write(($"one-{s}", 1), 0);
            checkpoint1.Add(Committable(1, attempt1[s], writer.PrepareCommit(1)));
            writer.Write(($"two-{s}", 2), 0);
            Assert.NotNull(writer.PrepareCommit(2));
            writer.Write(($"three-{s}", 3), 0);
        }

        await using (var committer = sink.CreateCommitter(attempt1[0]))
        {
            await committer.CommitAsync(checkpoint1[0], CancellationToken.None);
        }

        // Attempt 2 restores checkpoint 1 on three subtasks: its committables are committed again, the rest is replayed.
        var attempt2 = Enumerable.Range(0, 3).Select(s => Context(s, 3, attempt: 2)).ToArray();
        for (int i = 0; i < checkpoint1.Count; i++)
        {
            await using var committer = sink.CreateCommitter(attempt2[2 - i]);
            await committer.CommitAsync(checkpoint1[i], CancellationToken.None);
        }

        (string, long)[][] replayed = [[("two-0", 2), ("two-1", 2)], [("three-0", 3)], [("three-1", 3)]];
        for (int s = 0; s < 3; s++)
        {
            await using var writer = Writer(sink, attempt2[s]);
            foreach (var row in replayed[s])
            {
                writer.Write(row, 0);
            }

            var committable = Committable(long.MaxValue, attempt2[s], writer.PrepareCommit(long.MaxValue));
            await using var committer = sink.CreateCommitter(attempt2[s]);
            await committer.CommitAsync(committable, CancellationToken.None);
        }

        Assert.Equal(["one-0=1", "one-1=1", "three-0=3", "three-1=3", "two-0=2", "two-1=2"], await WordCountsAsync());
        Assert.Equal(5, (await CommitRowsAsync()).Count);
    }

    [Fact]
    public async Task CommitAsync_TableMissing_FailsNamingIt_AndWritesNothing_ThenSucceedsOnceTheTableExists()
    {
        var sink = PostgresSink.ForTable<(string Word, long N)>(_connectionString, "later_counts", ["word", "n"], r => [r.Word, r.N]);
        var context = Context(0, 1);
        await using var writer = Writer(sink, context);
        writer.Write(("late", 4), 0);
        var committable = Committable(8, context, writer.PrepareCommit(8));
        await using var committer = sink.CreateCommitter(context);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => committer.CommitAsync(committable, CancellationToken.None).AsTask());

        Assert.Contains("later_counts", error.Message);
        Assert.Contains("checkpoint 8", error.Message);
        Assert.Empty(await CommitRowsAsync());

        await ExecuteAsync(_connectionString, "CREATE TABLE later_counts (word text NOT NULL, n bigint NOT NULL)");
        await committer.CommitAsync(committable, CancellationToken.None);
        Assert.Equal("late", await ScalarAsync<string>(_connectionString, "SELECT word FROM later_counts"));
    }

    [Fact]
    public async Task ForStatement_Upsert_WithCast_AppliesEveryRow()
    {
        await ExecuteAsync(_connectionString, "CREATE TABLE totals (word text PRIMARY KEY, n bigint NOT NULL, meta jsonb)");
        var sink = PostgresSink.ForStatement<(string Word, long N)>(
            _connectionString,
            "INSERT INTO totals (word, n, meta) VALUES ($1, $2, $3::jsonb) ON CONFLICT (word) DO UPDATE SET n = totals.n + EXCLUDED.n, meta = EXCLUDED.meta",
            r => [r.Word, r.N, $$"""{"last":{{r.N}}}"""]);
        var context = Context(0, 1);
        await using var writer = Writer(sink, context);
        writer.Write(("a", 1), 0);
        writer.Write(("a", 2), 0);
        writer.Write(("b", 5), 0);
        await using var committer = sink.CreateCommitter(context);

        await committer.CommitAsync(Committable(1, context, writer.PrepareCommit(1)), CancellationToken.None);

        Assert.Equal("a=3 {\"last\": 2};b=5 {\"last\": 5}", await ScalarAsync<string>(
            _connectionString, "SELECT string_agg(word || '=' || n || ' ' || meta::text, ';' ORDER BY word) FROM totals"));
    }

    [Fact]
    public async Task ForTable_EverySupportedValueType_ArrivesUnchanged()
    {
        await ExecuteAsync(_connectionString, """
            CREATE TABLE kinds (t text, b boolean, i2 smallint, i4 integer, i8 bigint, f4 real, f8 double precision, d numeric,
                ts timestamp, tstz timestamptz, dto timestamptz, id uuid, bytes bytea, span interval, day date, clock time, empty text)
            """);
        object?[] row =
        [
            "é", true, (short)-7, int.MinValue, long.MaxValue, 1.5f, Math.PI, 123456789.0123456789m,
            new DateTime(2025, 3, 4, 5, 6, 7, 891, DateTimeKind.Unspecified), new DateTime(2025, 3, 4, 5, 6, 7, DateTimeKind.Utc),
            new DateTimeOffset(2024, 1, 2, 5, 4, 5, TimeSpan.FromHours(2)), Guid.Parse("0f8fad5b-d9cb-469f-a165-70867728950e"), new byte[] { 0, 1, 255 },
            TimeSpan.FromMinutes(90), new DateOnly(1999, 12, 31), new TimeOnly(23, 59, 58), null,
        ];
        string[] columns = ["t", "b", "i2", "i4", "i8", "f4", "f8", "d", "ts", "tstz", "dto", "id", "bytes", "span", "day", "clock", "empty"];
        var sink = PostgresSink.ForTable<object?[]>(_connectionString, "public.kinds", columns, r => r);
        var context = Context(0, 1);
        await using var writer = Writer(sink, context);
        writer.Write(row, 0);
        await using var committer = sink.CreateCommitter(context);

        await committer.CommitAsync(Committable(1, context, writer.PrepareCommit(1)), CancellationToken.None);

        await using var connection = new NpgsqlConnection(_connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"SELECT {string.Join(", ", columns)} FROM kinds", connection);
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        Assert.Equal("é", reader.GetString(0));
        Assert.True(reader.GetBoolean(1));
        Assert.Equal((short)-7, reader.GetInt16(2));
        Assert.Equal(int.MinValue, reader.GetInt32(3));
        Assert.Equal(long.MaxValue, reader.GetInt64(4));
        Assert.Equal(1.5f, reader.GetFloat(5));
        Assert.Equal(Math.PI, reader.GetDouble(6));
        Assert.Equal(123456789.0123456789m, reader.GetDecimal(7));
        Assert.Equal(new DateTime(2025, 3, 4, 5, 6, 7, 891), reader.GetDateTime(8));
        Assert.Equal(new DateTime(2025, 3, 4, 5, 6, 7, DateTimeKind.Utc), reader.GetDateTime(9));
        Assert.Equal(new DateTimeOffset(2024, 1, 2, 3, 4, 5, TimeSpan.Zero), reader.GetFieldValue<DateTimeOffset>(10));
        Assert.Equal(Guid.Parse("0f8fad5b-d9cb-469f-a165-70867728950e"), reader.GetGuid(11));
        Assert.Equal(new byte[] { 0, 1, 255 }, reader.GetFieldValue<byte[]>(12));
        Assert.Equal(TimeSpan.FromMinutes(90), reader.GetFieldValue<TimeSpan>(13));
        Assert.Equal(new DateOnly(1999, 12, 31), reader.GetFieldValue<DateOnly>(14));
        Assert.Equal(new TimeOnly(23, 59, 58), reader.GetFieldValue<TimeOnly>(15));
        Assert.True(reader.IsDBNull(16));
    }

    [Fact]
    public async Task Write_WrongNumberOfValues_ThrowsNamingTheTable()
    {
        var sink = PostgresSink.ForTable<string>(_connectionString, "word_counts", ["word", "n"], w => [w]);
        await using var writer = Writer(sink, Context(0, 1));

        var error = Assert.Throws<ArgumentException>(() => writer.Write("lonely", 0));

        Assert.Contains("word_counts", error.Message);
        Assert.Contains("takes 2 values per row but was given 1", error.Message);
    }

    [Fact]
    public async Task Write_UnsupportedValueType_ThrowsNamingTheTypeAndPosition()
    {
        var sink = PostgresSink.ForTable<string>(_connectionString, "word_counts", ["word", "n"], w => [w, new Uri("http://x")]);
        await using var writer = Writer(sink, Context(0, 1));

        var error = Assert.Throws<ArgumentException>(() => writer.Write("w", 0));

        Assert.Contains("value 2", error.Message);
        Assert.Contains("Uri", error.Message);
        Assert.Null(writer.PrepareCommit(1));
    }

    [Theory]
    [InlineData("word counts")]
    [InlineData("x; DROP TABLE y")]
    [InlineData("a.b.c")]
    public void ForTable_InvalidTableName_ThrowsNamingIt(string table)
    {
        var error = Assert.Throws<ArgumentException>(() => PostgresSink.ForTable<int>(_connectionString, table, ["n"], i => [i]));

        Assert.Contains($"'{table}'", error.Message);
        Assert.Equal("table", error.ParamName);
    }

    [Fact]
    public void ForTable_InvalidConnectionString_ThrowsNamingTheKeyword()
    {
        var error = Assert.Throws<ArgumentException>(() => PostgresSink.ForTable<int>("Hots=localhost", "t", ["n"], i => [i]));

        Assert.Contains("hots", error.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Equal("connectionString", error.ParamName);
    }

    [Fact]
    public async Task CommitAsync_BytesOfAnotherSink_ThrowsInvalidData()
    {
        await using var committer = WordCounts().CreateCommitter(Context(0, 1));

        var error = await Assert.ThrowsAsync<InvalidDataException>(
            () => committer.CommitAsync(new SinkCommittable(4, 0, 1, [1]), CancellationToken.None).AsTask());

        Assert.Contains("checkpoint 4", error.Message);
    }

    private PostgresSink<(string Word, long N)> WordCounts()
        => PostgresSink.ForTable<(string Word, long N)>(_connectionString, "word_counts", ["word", "n"], r => [r.Word, r.N]);

    private SinkContext Context(int subtask, int parallelism, int attempt = 1) => new(_job, "sink", subtask, parallelism, attempt);

    private static ITransactionalSinkWriter<T> Writer<T>(ITransactionalSink<T> sink, SinkContext context)
        => Assert.IsAssignableFrom<ITransactionalSinkWriter<T>>(sink.CreateWriter(context));

    private static SinkCommittable Committable(long checkpointId, SinkContext context, byte[]? data)
        => new(checkpointId, context.SubtaskIndex, context.Attempt, Assert.IsType<byte[]>(data));

    private async Task<List<string>> WordCountsAsync()
        => await QueryAsync(_connectionString, "SELECT word || '=' || n FROM word_counts ORDER BY word");

    /// <summary>The commit log rows of this test's job, as job/operator/subtask/attempt/checkpoint.</summary>
    private async Task<List<string>> CommitRowsAsync()
    {
        bool exists = await ScalarAsync<bool>(_connectionString, "SELECT to_regclass('orleansstream_sink_commits') IS NOT NULL");
        return exists
            ? await QueryAsync(_connectionString, $"""
                SELECT concat_ws('/', job_id, operator_id, subtask, attempt, checkpoint_id) FROM orleansstream_sink_commits
                WHERE job_id = '{_job}' ORDER BY subtask, attempt, checkpoint_id
                """)
            : [];
    }

    private static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<T> ScalarAsync<T>(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)(await command.ExecuteScalarAsync())!;
    }

    private static async Task<List<string>> QueryAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<string>();
        while (await reader.ReadAsync())
        {
            rows.Add(reader.GetString(0));
        }

        return rows;
    }
}
