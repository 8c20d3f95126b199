using Npgsql;
using OrleansStream.Api;
using OrleansStream.Connectors.Generator;
using OrleansStream.Connectors.Postgres;
using OrleansStream.Connectors.Redis;
using OrleansStream.Contracts.Jobs;
using OrleansStream.Tests.Fixtures;
using StackExchange.Redis;
using Xunit.Abstractions;

namespace OrleansStream.Tests.Cluster;

/// <summary>
/// The running count of <see cref="RollingCountJob"/>, read from a Redis stream or a generator, committed to Redis or
/// PostgreSQL; a <see cref="SourceGate"/> (parameter "gate") holds its input for the test.
/// </summary>
public sealed class ExternalRollingCountJob : IStreamJob
{
    public void Build(StreamBuilder builder)
    {
        var parameters = builder.Parameters;
        builder.EnableCheckpointing(TimeSpan.FromMilliseconds(200));
        builder.RestartStrategy = RestartStrategy.FixedDelay(5, TimeSpan.FromMilliseconds(200));
        string? gate = parameters.Get(SourceGate.Parameter);
        if (parameters.Get("idle-timeout-ms") is { } idleTimeout)
        {
            // The stream stays open and the job idles while it has no new entries.
            builder.IdleTimeout = TimeSpan.FromMilliseconds(long.Parse(idleTimeout));
        }

        var numbers = parameters.Get("redis-input") is { } input
            ? builder.FromSource(Bounded(RedisStreamSource.Strings(parameters.GetRequired("redis"), input.Split(',')), builder.IdleTimeout is null).GatedBy(gate), "redis numbers")
                .Map(long.Parse, "parse")
            : builder.FromSource(GeneratorSource.FromIndex(i => i, parameters.GetInt64("count", 0)).WithRateLimit(parameters.GetInt64("rate", 1_000)).GatedBy(gate), "numbers");
        string poisonRun = parameters.Get("poison-run", "");
        long poison = parameters.GetInt64("poison", -1);
        var counts = numbers
            .Map(i => PoisonOnce.Check(poisonRun, i, poison), "poison once")
            .Map(i => (Key: i % RollingCountJob.Keys, Count: 1L), "one")
            .KeyBy(t => t.Key)
            .Reduce((a, b) => (a.Key, a.Count + b.Count), "rolling count");
        if (parameters.Get("redis-output") is { } output)
        {
            counts.SinkTo(RedisStreamSink.Strings<(long Key, long Count)>(parameters.GetRequired("redis"), output, t => $"{t.Key},{t.Count}"), "redis counts");
        }
        else
        {
            counts.SinkTo(PostgresSink.ForTable<(long Key, long Count)>(parameters.GetRequired("postgres"), "counts", ["key", "count"], t => [t.Key, t.Count]), "postgres counts");
        }
    }

    private static RedisStreamSource<string> Bounded(RedisStreamSource<string> source, bool bounded) => bounded ? source.AsBounded() : source;
}

[Collection(PostgresCollection.Name)]
public sealed class ExternalSystemsRecoveryTests(PostgresServer postgres, RedisServer redis, ITestOutputHelper output)
    : RecoveryClusterTest(postgres, output, "external"), IClassFixture<RedisServer>
{
    [Fact]
    public async Task From_a_redis_stream_to_a_redis_stream_a_failure_mid_job_leaves_exactly_one_entry_per_record()
    {
        const long count = 20_000;
        await using var connection = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);
        var db = connection.GetDatabase();
        var (input, output) = await NumbersStreamAsync(db, count);

        // The stream is one split, read by one reader: at most 10,000 entries until the gate opens, below the poisoned one.
        var gate = NewGate(budget: 10_000);
        var parameters = new Dictionary<string, string>
        {
            ["redis"] = redis.ConnectionString,
            ["redis-input"] = input,
            ["redis-output"] = output,
            ["poison-run"] = Guid.NewGuid().ToString(),
            ["poison"] = "15000",
            [SourceGate.Parameter] = gate.Path,
        };
        var submitted = await Cluster.Jobs.SubmitAsync(JobSubmission.For<ExternalRollingCountJob>(2, parameters));
        var watch = Watch(submitted.JobId, gate);
        await watch.WaitUntilCheckpointedAfterInputAsync("redis numbers");
        gate.Open();

        var status = await watch.WaitForEndAsync();

        Assert.Equal(JobState.Finished, status.State);
        Assert.Equal(1, status.Checkpoints.Restarts);
        Assert.Contains("record 15000 hit a transient fault", status.Checkpoints.LastFailure);
        watch.AssertRestartedAndRestored(status);
        Assert.Equal(RollingCountJob.Expected(count), await CommittedEntriesAsync(db, output));
    }

    [Fact]
    public async Task Into_postgresql_a_killed_silo_leaves_exactly_one_row_per_record()
    {
        const long count = 24_000;
        await CreateCountsTableAsync();

        var gate = NewGate(budget: 4_000);
        var parameters = new Dictionary<string, string>
        {
            ["postgres"] = Cluster.ConnectionString,
            ["count"] = count.ToString(),
            ["rate"] = "4000",
            [SourceGate.Parameter] = gate.Path,
        };
        var submitted = await Cluster.Jobs.SubmitAsync(JobSubmission.For<ExternalRollingCountJob>(2, parameters));
        var watch = Watch(submitted.JobId, gate);
        await KillATaskSiloAndWaitForTheRestartAsync(watch, "numbers");
        gate.Open();

        var status = await watch.WaitForEndAsync();

        Assert.Equal(JobState.Finished, status.State);
        Assert.True(status.Checkpoints.Restarts >= 1);
        Assert.Equal(RollingCountJob.Expected(count), await CommittedRowsAsync());
    }

    [Theory]
    [InlineData("redis")]
    [InlineData("postgres")]
    public async Task From_a_redis_stream_rescaled_live_and_then_by_a_restart_the_sink_commits_exactly_one_entry_per_record(string sink)
    {
        const long count = 20_000;
        await using var connection = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);
        var db = connection.GetDatabase();
        var (input, output) = await NumbersStreamAsync(db, count, streams: 4);

        // Four streams, four splits, two per reader: 5,000 entries each, then 5,000 more per reader until the gate opens.
        var gate = NewGate(budget: 5_000);
        var parameters = new Dictionary<string, string> { ["redis"] = redis.ConnectionString, ["redis-input"] = input, [SourceGate.Parameter] = gate.Path };
        if (sink == "redis")
        {
            parameters["redis-output"] = output;
        }
        else
        {
            await CreateCountsTableAsync();
            parameters["postgres"] = Cluster.ConnectionString;
        }

        var submitted = await Cluster.Jobs.SubmitAsync(JobSubmission.For<ExternalRollingCountJob>(2, parameters));
        var watch = Watch(submitted.JobId, gate);
        await watch.WaitUntilCheckpointedAfterInputAsync("redis numbers");
        gate.Allow(10_000);

        // The sink is chained to the keyed count: its new subtasks start, and the retired ones commit, with the key groups.
        // The streams' read positions move live with their splits, and then through the savepoint to the new readers.
        await RescaleLiveAndByARestartAsync(watch, submitted.JobId, gate, "redis numbers");

        Assert.Equal(RollingCountJob.Expected(count), sink == "redis" ? await CommittedEntriesAsync(db, output) : await CommittedRowsAsync());
    }

    /// <summary>
    /// New streams holding the numbers 0 to <paramref name="count"/> - 1 (a thousand per round trip, each thousand in the
    /// next of <paramref name="streams"/> streams), their names joined by commas, and the name of a new output stream.
    /// </summary>
    internal static async Task<(string Input, string Output)> NumbersStreamAsync(IDatabase db, long count, int streams = 1)
    {
        string run = Guid.NewGuid().ToString("N")[..8];
        var inputs = Enumerable.Range(0, streams).Select(s => $"numbers-{run}-{s}").ToList();
        for (long i = 0; i < count; i += 1_000)
        {
            var batch = db.CreateBatch();
            string input = inputs[(int)(i / 1_000 % streams)];
            var adds = Enumerable.Range(0, 1_000).Select(j => batch.StreamAddAsync(input, "value", i + j)).ToList();
            batch.Execute();
            await Task.WhenAll(adds);
        }

        return (string.Join(',', inputs), "counts-" + run);
    }

    internal static async Task<List<string>> CommittedEntriesAsync(IDatabase db, string stream)
        => (await db.StreamRangeAsync(stream)).Select(e => (string)e["value"]!).Order(StringComparer.Ordinal).ToList();

    private async Task CreateCountsTableAsync()
    {
        await using var connection = new NpgsqlConnection(Cluster.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("CREATE TABLE counts (key bigint NOT NULL, count bigint NOT NULL)", connection);
        await command.ExecuteNonQueryAsync();
    }

    private async Task<List<string>> CommittedRowsAsync()
    {
        var committed = new List<string>();
        await using var connection = new NpgsqlConnection(Cluster.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT key, count FROM counts", connection);
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            committed.Add($"{reader.GetInt64(0)},{reader.GetInt64(1)}");
        }

        committed.Sort(StringComparer.Ordinal);
        return committed;
    }
}
