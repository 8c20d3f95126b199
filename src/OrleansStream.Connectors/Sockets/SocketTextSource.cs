using System.Globalization;
using OrleansStream.Api.Connectors;

namespace OrleansStream.Connectors.Sockets;

/// <summary>
/// Reads UTF-8 text lines from a TCP server, like Flink's <c>socketTextStream</c>: handy for demos with
/// <c>nc -lk 9999</c>. The source connects as a client, so the server must be listening first; connection
/// refusals are retried until <see cref="ConnectTimeout"/> passes.
/// </summary>
/// <remarks>
/// <para>
/// <b>This source cannot be replayed, so it gives at-most-once input even in a job with checkpoints.</b> A socket
/// cannot be rewound: lines read after the last completed checkpoint are lost when the job fails, and the
/// restarted job connects again and continues with whatever the server sends next. The progress its split
/// records (<see cref="SocketSplit.LinesRead"/>) is only a count of lines read, for information.
/// </para>
/// <para>
/// It is unbounded and has a single split (<see cref="MaxParallelism"/> is 1); the job ends its input when the
/// server closes the connection.
/// </para>
/// </remarks>
public sealed class SocketTextSource : ISource<string>
{
    public SocketTextSource(string host, int port)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(host);
        ArgumentOutOfRangeException.ThrowIfLessThan(port, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(port, 65535);
        Host = host;
        Port = port;
    }

    public string Host { get; }

    public int Port { get; }

    /// <summary>How long to keep retrying a refused connection before the source fails; 30 seconds by default.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(30);

    public bool IsBounded => false;

    public ISplitSerializer SplitSerializer => JsonSplitSerializer<SocketSplit>.Instance;

    public int? MaxParallelism => 1;

    /// <summary>Parses <c>"host:port"</c> (IPv6 hosts in brackets, <c>"[::1]:9999"</c>).</summary>
    /// <exception cref="FormatException">The text is not a host and a port.</exception>
    public static SocketTextSource Parse(string hostAndPort)
    {
        ArgumentNullException.ThrowIfNull(hostAndPort);
        int colon = hostAndPort.LastIndexOf(':');
        if (colon > 0 && colon < hostAndPort.Length - 1
            && int.TryParse(hostAndPort.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out int port)
            && port is >= 1 and <= 65535)
        {
            string host = hostAndPort[..colon];
            if (host.Length > 2 && host[0] == '[' && host[^1] == ']')
            {
                host = host[1..^1];
            }

            if (!string.IsNullOrWhiteSpace(host) && host.AsSpan().IndexOfAny('[', ']') < 0)
            {
                return new SocketTextSource(host, port);
            }
        }

        throw new FormatException($"'{hostAndPort}' is not of the form host:port.");
    }

    public IReadOnlyList<SourceSplit> CreateSplits(int parallelism)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(parallelism, 1);
        return [new SocketSplit($"socket:{Host}:{Port}", Host, Port)];
    }

    /// <summary>
    /// Creates the reader of the one split. A split restored from a checkpoint only carries a count of lines read:
    /// the reader connects again and continues with whatever the server sends next, nothing is replayed.
    /// </summary>
    public ISourceReader<string> CreateReader(SourceReaderContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var split = context.Splits.Count switch
        {
            0 => null,
            1 when context.Splits[0] is SocketSplit socketSplit => socketSplit,
            _ => throw new ArgumentException(
                $"A socket source reads exactly its one socket split, but subtask {context.SubtaskIndex} was given {context.Splits.Count} splits: "
                + string.Join(", ", context.Splits.Select(s => $"'{s.SplitId}' ({s.GetType().Name})")) + ".",
                nameof(context)),
        };

        return new SocketTextReader(split, ConnectTimeout);
    }

    public override string ToString() => $"socket {Host}:{Port}";
}
