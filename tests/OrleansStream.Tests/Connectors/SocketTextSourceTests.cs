using System.Net;
using System.Net.Sockets;
using System.Text;
using OrleansStream.Api.Connectors;
using OrleansStream.Connectors.Sockets;

namespace OrleansStream.Tests.Connectors;

public sealed class SocketTextSourceTests
{
    [Fact]
    public async Task Reader_ReceivesLinesAndEndsWhenTheServerCloses()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var server = ServeAsync(listener, "hello\nwörld\r\n\nlast line without newline");

        var lines = await SourceTestHarness.ReadAll(new SocketTextSource("127.0.0.1", port), parallelism: 1);
        await server;

        Assert.Equal(new[] { "hello", "wörld", "", "last line without newline" }, lines);
    }

    [Fact]
    public async Task Reader_ManyLines_ArriveInOrder()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var expected = Enumerable.Range(0, 50_000).Select(i => $"line {i}").ToList();
        var server = ServeAsync(listener, string.Join('\n', expected) + "\n");

        var lines = await SourceTestHarness.ReadAll(new SocketTextSource("127.0.0.1", port), parallelism: 1);
        await server;

        Assert.Equal(expected, lines);
    }

    [Fact]
    public async Task SnapshotSplits_CountsLinesRead_AndARestoredReaderReadsOnlyWhatArrivesNext()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var source = new SocketTextSource("127.0.0.1", port);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));

        var server = ServeAsync(listener, "a\nb\nc\n");
        var first = new CollectingOutput<string>();
        IReadOnlyList<SourceSplit> snapshot;
        await using (var reader = source.CreateReader(new SourceReaderContext(0, 1, source.CreateSplits(1))))
        {
            await SourceTestHarness.DrainAsync(reader, first, timeout.Token);
            snapshot = reader.SnapshotSplits();
        }

        await server;
        server = ServeAsync(listener, "d\n");
        var second = new CollectingOutput<string>();
        IReadOnlyList<SourceSplit> secondSnapshot;
        await using (var restored = source.CreateReader(new SourceReaderContext(0, 1, snapshot.Select(s => CheckpointedRead.RoundTrip(source, s)).ToList())))
        {
            await SourceTestHarness.DrainAsync(restored, second, timeout.Token);
            secondSnapshot = restored.SnapshotSplits();
        }

        await server;
        Assert.Equal(["a", "b", "c"], first.Values);
        Assert.Equal(["d"], second.Values);
        Assert.Equal(new SocketSplit($"socket:127.0.0.1:{port}", "127.0.0.1", port, LinesRead: 3), Assert.Single(snapshot));
        Assert.Equal(4, ((SocketSplit)Assert.Single(secondSnapshot)).LinesRead);
    }

    [Fact]
    public async Task A_line_longer_than_the_limit_fails_the_reader_naming_the_endpoint_and_line()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var server = ServeAsync(listener, "ok\n" + new string('x', 3 << 20));

        var error = await Assert.ThrowsAsync<IOException>(() => SourceTestHarness.ReadAll(new SocketTextSource("127.0.0.1", port), parallelism: 1));
        await Record.ExceptionAsync(() => server); // the reader hangs up before the server has written it all

        Assert.Equal($"The socket source 127.0.0.1:{port} failed: Line 2 of the input is longer than 1,048,576 bytes without a line break.", error.Message);
    }

    [Fact]
    public async Task Reader_NothingListening_FailsAfterTheConnectTimeoutNamingTheEndpoint()
    {
        int port;
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            port = ((IPEndPoint)probe.LocalEndpoint).Port;
            probe.Stop();
        }

        var source = new SocketTextSource("127.0.0.1", port) { ConnectTimeout = TimeSpan.FromSeconds(1) };

        var error = await Assert.ThrowsAsync<TimeoutException>(() => SourceTestHarness.ReadAll(source, parallelism: 1));

        Assert.Contains($"127.0.0.1:{port}", error.Message);
    }

    [Fact]
    public async Task DisposeAsync_WhileConnected_ClosesTheConnection()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var source = new SocketTextSource("127.0.0.1", port);
        var reader = source.CreateReader(new SourceReaderContext(0, 1, source.CreateSplits(1)));

        Assert.Equal(ReadStatus.NothingAvailable, await reader.ReadAsync(new CollectingOutput<string>(), 10, CancellationToken.None));
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        using var client = await listener.AcceptTcpClientAsync(timeout.Token);
        await reader.DisposeAsync();

        int received = await client.GetStream().ReadAsync(new byte[16], timeout.Token);
        Assert.Equal(0, received);
    }

    [Fact]
    public async Task SecondSubtask_HasNoSplitAndEndsAtOnce()
    {
        var source = new SocketTextSource("127.0.0.1", 9);
        var output = new CollectingOutput<string>();

        await using var reader = source.CreateReader(new SourceReaderContext(1, 2, []));

        Assert.Equal(ReadStatus.End, await reader.ReadAsync(output, 10, CancellationToken.None));
        Assert.Equal(1, source.MaxParallelism);
        Assert.False(source.IsBounded);
        Assert.Single(source.CreateSplits(2));
    }

    [Theory]
    [InlineData("localhost:9999", "localhost", 9999)]
    [InlineData("[::1]:7000", "::1", 7000)]
    public void Parse_HostAndPort_GivesTheEndpoint(string text, string host, int port)
    {
        var source = SocketTextSource.Parse(text);

        Assert.Equal(host, source.Host);
        Assert.Equal(port, source.Port);
    }

    [Theory]
    [InlineData("localhost")]
    [InlineData("localhost:")]
    [InlineData(":80")]
    [InlineData("host:70000")]
    public void Parse_Malformed_Throws(string text)
    {
        Assert.Throws<FormatException>(() => SocketTextSource.Parse(text));
    }

    private static async Task ServeAsync(TcpListener listener, string text)
    {
        using var client = await listener.AcceptTcpClientAsync();
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.UTF8.GetBytes(text));
        await stream.FlushAsync();
        client.Client.Shutdown(SocketShutdown.Send);
    }
}
