using System.Diagnostics;
using System.Net.Sockets;
using System.Threading.Channels;
using OrleansStream.Api.Connectors;
using OrleansStream.Connectors.Files;

namespace OrleansStream.Connectors.Sockets;

/// <summary>
/// Reads lines from a socket without ever blocking a grain turn: a background loop receives and splits
/// lines into a bounded channel (whose fullness stops the loop from receiving, which pushes back on the
/// sender through TCP flow control), and <see cref="ReadAsync"/> only drains what is already there.
/// </summary>
/// <remarks>
/// Not replayable: lines buffered or emitted after the last checkpoint are lost when the job fails, and a
/// restored reader opens a new connection and reads what arrives from then on (at-most-once for this source).
/// </remarks>
public sealed class SocketTextReader : ISourceReader<string>
{
    private const int ChannelCapacity = 10_000;

    private static readonly TimeSpan s_retryInterval = TimeSpan.FromMilliseconds(500);

    private readonly SocketSplit? _split;
    private readonly TimeSpan _connectTimeout;
    private readonly Channel<string> _channel = Channel.CreateBounded<string>(
        new BoundedChannelOptions(ChannelCapacity) { FullMode = BoundedChannelFullMode.Wait, SingleReader = true, SingleWriter = true });

    private readonly CancellationTokenSource _stop = new();
    private Task? _receiveLoop;
    private long _linesRead;

    internal SocketTextReader(SocketSplit? split, TimeSpan connectTimeout)
    {
        _split = split;
        _connectTimeout = connectTimeout;
        _linesRead = split?.LinesRead ?? 0;
    }

    private string Endpoint => $"{_split!.Host}:{_split.Port}";

    /// <summary>
    /// Returns the split with the count of lines read so far. The count is for information only: this source
    /// cannot be replayed, and a reader restored from the split continues with whatever the server sends next.
    /// </summary>
    public IReadOnlyList<SourceSplit> SnapshotSplits() => _split is null ? [] : [_split with { LinesRead = _linesRead }];

    public async ValueTask<ReadStatus> ReadAsync(ISourceOutput<string> output, int maxRecords, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxRecords, 1);
        cancellationToken.ThrowIfCancellationRequested();
        if (_split is null)
        {
            return ReadStatus.End;
        }

        ObjectDisposedException.ThrowIf(_stop.IsCancellationRequested, this);
        _receiveLoop ??= ReceiveLoopAsync(_stop.Token);

        var reader = _channel.Reader;
        int emitted = 0;
        while (emitted < maxRecords && reader.TryRead(out string? line))
        {
            output.Collect(line);
            emitted++;
        }

        _linesRead += emitted;
        if (emitted == maxRecords)
        {
            return ReadStatus.MoreAvailable;
        }

        if (!reader.Completion.IsCompleted)
        {
            return ReadStatus.NothingAvailable;
        }

        if (emitted > 0)
        {
            // Hand over these lines first; the end (or the loop's error) is reported by the next call.
            return ReadStatus.MoreAvailable;
        }

        // Rethrows the receive loop's error, which names the endpoint.
        await reader.Completion;
        return ReadStatus.End;
    }

    public async ValueTask DisposeAsync()
    {
        if (_stop.IsCancellationRequested)
        {
            return;
        }

        await _stop.CancelAsync();
        if (_receiveLoop is { } loop)
        {
            // The loop records its own errors in the channel; disposal only waits for the socket to close.
            await loop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        _stop.Dispose();
    }

    private async Task ReceiveLoopAsync(CancellationToken cancellationToken)
    {
        // Leave the caller's turn (and its scheduler) before doing any I/O.
        await Task.CompletedTask.ConfigureAwait(ConfigureAwaitOptions.ForceYielding);

        Exception? error = null;
        try
        {
            using var socket = await ConnectAsync(cancellationToken).ConfigureAwait(false);
            await ReceiveLinesAsync(socket, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (TimeoutException ex)
        {
            error = ex;
        }
        catch (Exception ex)
        {
            error = new IOException($"The socket source {Endpoint} failed: {ex.Message}", ex);
        }
        finally
        {
            _channel.Writer.TryComplete(error);
        }
    }

    private async Task<Socket> ConnectAsync(CancellationToken cancellationToken)
    {
        long started = Stopwatch.GetTimestamp();
        SocketException? lastRefusal = null;
        while (true)
        {
            var remaining = _connectTimeout - Stopwatch.GetElapsedTime(started);
            if (remaining <= TimeSpan.Zero)
            {
                throw ConnectTimedOut(lastRefusal);
            }

            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            attempt.CancelAfter(remaining);
            try
            {
                await socket.ConnectAsync(_split!.Host, _split.Port, attempt.Token).ConfigureAwait(false);
                return socket;
            }
            catch (SocketException ex) when (ex.SocketErrorCode == SocketError.ConnectionRefused)
            {
                // The server may not be listening yet (it is often started after the job): try again shortly.
                socket.Dispose();
                lastRefusal = ex;
            }
            catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
            {
                socket.Dispose();
                throw ConnectTimedOut(ex);
            }
            catch
            {
                socket.Dispose();
                throw;
            }

            var untilDeadline = _connectTimeout - Stopwatch.GetElapsedTime(started);
            if (untilDeadline > TimeSpan.Zero)
            {
                await Task.Delay(untilDeadline < s_retryInterval ? untilDeadline : s_retryInterval, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private TimeoutException ConnectTimedOut(Exception? inner)
        => new($"The socket source could not connect to {Endpoint} within {_connectTimeout.TotalSeconds:0.###} s.", inner);

    private async Task ReceiveLinesAsync(Socket socket, CancellationToken cancellationToken)
    {
        var lines = new Utf8LineBuffer();
        var writer = _channel.Writer;
        long received = 0;
        while (true)
        {
            int count = await socket.ReceiveAsync(lines.GetWriteMemory(), SocketFlags.None, cancellationToken).ConfigureAwait(false);
            if (count == 0)
            {
                // The peer closed the connection: a last line without '\n' still counts, then the input ends.
                if (lines.Count > 0)
                {
                    await WriteAsync(writer, Utf8LineBuffer.Decode(lines.TakeRest()), cancellationToken).ConfigureAwait(false);
                }

                return;
            }

            lines.Advance(count);
            try
            {
                while (TryTakeLine(lines, out string? line))
                {
                    received++;
                    await WriteAsync(writer, line, cancellationToken).ConfigureAwait(false);
                }
            }
            catch (LineTooLongException)
            {
                throw LineTooLongException.Of($"Line {received + 1}", "the input");
            }
        }
    }

    private static bool TryTakeLine(Utf8LineBuffer lines, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out string? line)
    {
        if (lines.TryTakeLine(out var bytes, out _))
        {
            line = Utf8LineBuffer.Decode(bytes);
            return true;
        }

        line = null;
        return false;
    }

    private static ValueTask WriteAsync(ChannelWriter<string> writer, string line, CancellationToken cancellationToken)
        => writer.TryWrite(line) ? ValueTask.CompletedTask : writer.WriteAsync(line, cancellationToken);
}
