using System.Net;
using System.Net.Sockets;
using OrleansStream.Tests.Fixtures;
using StackExchange.Redis;

namespace OrleansStream.Tests.Storage;

/// <summary>The server fixtures start what they promise and leave nothing behind.</summary>
public sealed class ServerFixtureTests(RedisServer redis) : IClassFixture<RedisServer>
{
    [Fact]
    public async Task Redis_answers_ping_and_keeps_a_stream()
    {
        await using var connection = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);
        var database = connection.GetDatabase();

        Assert.True(await database.PingAsync() < TimeSpan.FromSeconds(5));

        var stream = "events-" + Guid.NewGuid().ToString("N");
        var ids = new List<RedisValue>();
        for (int i = 0; i < 3; i++)
        {
            ids.Add(await database.StreamAddAsync(stream, "n", i));
        }

        var entries = await database.StreamRangeAsync(stream, "-", "+");
        Assert.Equal(ids, entries.Select(entry => entry.Id));
        Assert.Equal(["0", "1", "2"], entries.Select(entry => (string?)entry["n"]));
    }

    [Fact]
    public async Task A_disposed_redis_server_is_gone()
    {
        var server = await RedisServer.StartAsync();
        var port = server.Port;
        Assert.True(await AcceptsConnectionsAsync(port));

        await server.DisposeAsync();

        Assert.False(await AcceptsConnectionsAsync(port));
    }

    [Fact]
    public async Task A_disposed_postgres_server_is_gone_with_its_directory()
    {
        var server = await PostgresServer.StartAsync();
        var port = server.Port;
        var directory = server.RootDirectory;
        Assert.True(Directory.Exists(directory));
        Assert.True(await AcceptsConnectionsAsync(port));
        var database = await server.CreateDatabaseAsync("fixture_check");
        Assert.Contains("fixture_check", database);

        await server.DisposeAsync();

        Assert.False(await AcceptsConnectionsAsync(port));
        Assert.False(Directory.Exists(directory));
    }

    private static async Task<bool> AcceptsConnectionsAsync(int port)
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync(IPAddress.Loopback, port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
