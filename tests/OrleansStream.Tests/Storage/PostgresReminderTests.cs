using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using OrleansStream.Tests.Fixtures;

namespace OrleansStream.Tests.Storage;

/// <summary>Reminders kept in PostgreSQL: through a grain, and through the reminder table the silo uses.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresReminderTests(PostgresServer server, ClassScoped<StorageTestCluster> cluster)
    : IClassFixture<ClassScoped<StorageTestCluster>>
{
    private Task<StorageTestCluster> ClusterAsync() => cluster.GetAsync(async () =>
    {
        var database = await server.CreateDatabaseAsync(nameof(PostgresReminderTests));
        return await StorageTestCluster.StartAsync(new StorageSettings { PostgresReminders = database });
    });

    [Fact]
    public async Task A_grain_registers_lists_receives_and_unregisters_reminders()
    {
        var started = await ClusterAsync();
        var key = "reminders-" + Guid.NewGuid().ToString("N");
        var grain = started.Grains.GetGrain<IReminderHolderGrain>(key);

        await grain.RegisterAsync("tick", TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(1));
        await grain.RegisterAsync("later", TimeSpan.FromHours(1), TimeSpan.FromHours(1));
        Assert.Equal(["later", "tick"], await grain.ListAsync());
        Assert.Equal(2, await CountRowsAsync(started, key));

        var waited = Stopwatch.StartNew();
        while (await grain.TicksAsync("tick") == 0)
        {
            Assert.True(waited.Elapsed < TimeSpan.FromSeconds(30), "The reminder did not fire.");
            await Task.Delay(100);
        }

        await grain.UnregisterAsync("tick");
        Assert.Equal(["later"], await grain.ListAsync());
        Assert.Equal(1, await CountRowsAsync(started, key));

        await grain.UnregisterAsync("later");
        Assert.Empty(await grain.ListAsync());
        Assert.Equal(0, await CountRowsAsync(started, key));
    }

    [Fact]
    public async Task The_table_reads_by_grain_and_by_hash_range_and_checks_etags()
    {
        var started = await ClusterAsync();
        var table = started.SiloServices().GetRequiredService<IReminderTable>();
        var prefix = "table-" + Guid.NewGuid().ToString("N");
        // Far in the future, so the silo's reminder service never tries to deliver them.
        var start = DateTime.UtcNow.AddDays(1);
        var entries = Enumerable.Range(0, 40).Select(i => new ReminderEntry
        {
            GrainId = GrainId.Create("reminder-table-test", $"{prefix}-{i}"),
            ReminderName = "r",
            StartAt = start,
            Period = TimeSpan.FromHours(1) + TimeSpan.FromMilliseconds(i),
        }).ToList();
        foreach (var entry in entries)
        {
            entry.ETag = await table.UpsertRow(entry);
        }

        try
        {
            var one = entries[7];
            var rows = await table.ReadRows(one.GrainId);
            var row = Assert.Single(rows.Reminders);
            Assert.Equal(one.Period, row.Period);
            Assert.Equal(one.StartAt, row.StartAt, TimeSpan.FromMilliseconds(1));
            Assert.Equal(DateTimeKind.Utc, row.StartAt.Kind);
            Assert.Equal(one.ETag, row.ETag);
            Assert.Equal(one.ETag, (await table.ReadRow(one.GrainId, "r"))?.ETag);
            Assert.Null(await table.ReadRow(one.GrainId, "missing"));

            // A long period does not fit the int the provider sends for short ones.
            var longPeriod = new ReminderEntry { GrainId = one.GrainId, ReminderName = "long", StartAt = start, Period = TimeSpan.FromDays(60) };
            longPeriod.ETag = await table.UpsertRow(longPeriod);
            Assert.Equal(TimeSpan.FromDays(60), (await table.ReadRow(one.GrainId, "long"))?.Period);
            Assert.True(await table.RemoveRow(one.GrainId, "long", longPeriod.ETag!));

            // Hash ranges are (begin, end] on the uint ring, wrapping past uint.MaxValue when begin >= end.
            var hashes = entries.Select(e => e.GrainId.GetUniformHashCode()).Order().ToArray();
            var ranges = new (uint Begin, uint End)[]
            {
                (0, uint.MaxValue),
                (hashes[5], hashes[30]),
                (hashes[30], hashes[5]),
                (int.MaxValue - 1u, int.MaxValue + 1000u),
                (int.MaxValue + 1000u, int.MaxValue - 1u),
                (1u << 30, 3u << 30),
                (3u << 30, 1u << 30),
                (hashes[12], hashes[12]),
            };
            foreach (var (begin, end) in ranges)
            {
                var expected = entries.Where(e => InRange(e.GrainId.GetUniformHashCode(), begin, end)).Select(e => e.GrainId).ToHashSet();
                var actual = (await table.ReadRows(begin, end)).Reminders.Where(r => r.GrainId.ToString().Contains(prefix)).Select(r => r.GrainId).ToHashSet();
                Assert.True(expected.SetEquals(actual), $"Range ({begin}, {end}]: expected {expected.Count} reminders, read {actual.Count}.");
            }

            var before = one.ETag;
            one.ETag = await table.UpsertRow(one);
            Assert.NotEqual(before, one.ETag);
            Assert.False(await table.RemoveRow(one.GrainId, "r", before!));
            Assert.True(await table.RemoveRow(one.GrainId, "r", one.ETag!));
            Assert.Empty((await table.ReadRows(one.GrainId)).Reminders);
        }
        finally
        {
            foreach (var entry in entries)
            {
                var current = await table.ReadRow(entry.GrainId, "r");
                if (current is not null)
                {
                    await table.RemoveRow(entry.GrainId, "r", current.ETag!);
                }
            }
        }
    }

    private static bool InRange(uint hash, uint begin, uint end)
        => begin < end ? hash > begin && hash <= end : hash > begin || hash <= end;

    private static async Task<long> CountRowsAsync(StorageTestCluster started, string grainKey)
    {
        await using var connection = new NpgsqlConnection(started.Settings.PostgresReminders);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT count(*) FROM orleans_reminders WHERE grain_id LIKE @pattern", connection);
        command.Parameters.AddWithValue("pattern", "%" + grainKey);
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
