using System.Globalization;

namespace OrleansStream.Connectors;

/// <summary>
/// Reads UTF-8 text lines from a TCP server, like Flink's <c>socketTextStream</c>: handy for demos with
/// <c>nc -lk 9999</c>. The source connects as a client, so the server must be listening first; connection
/// refusals are retried until <see cref="ConnectTimeout"/> passes.
/// </summary>
/// <remarks>
/// This source cannot be replayed: a socket cannot be rewound, so records read before a failure are gone
/// and a restarted job continues with whatever the server sends next. The offset it reports is only a count
/// of lines read. It is unbounded and has a single split (<see cref="MaxParallelism"/> is 1); the job ends
/// its input when the server closes the connection.
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

    public ISourceReader<string> CreateReader(SourceReaderContext context) => CreateReader(context, startOffsets: null);

    /// <summary>Creates a reader whose line count continues from an earlier one (no lines are skipped or replayed).</summary>
    internal SocketTextReader CreateReader(SourceReaderContext context, IReadOnlyDictionary<string, long>? startOffsets)
    {
        ArgumentNullException.ThrowIfNull(context);
        var split = context.Splits.Count switch
        {
            0 => null,
            1 when context.Splits[0] is SocketSplit socketSplit => socketSplit,
            _ => throw new ArgumentException("A socket source reads exactly its one socket split.", nameof(context)),
        };

        return new SocketTextReader(split, ConnectTimeout, startOffsets);
    }

    public override string ToString() => $"socket {Host}:{Port}";
}
