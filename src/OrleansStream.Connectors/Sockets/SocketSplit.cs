using OrleansStream.Api.Connectors;

namespace OrleansStream.Connectors.Sockets;

/// <summary>
/// The single split of a <see cref="SocketTextSource"/>: one connection can be read by one subtask only.
/// </summary>
/// <param name="SplitId">A stable id, <c>"socket:{Host}:{Port}"</c>.</param>
/// <param name="Host">The host to connect to.</param>
/// <param name="Port">The TCP port to connect to.</param>
/// <param name="LinesRead">
/// How many lines were read before this split was recorded, for information only: a socket cannot be
/// rewound, so a reader restored from this split does not skip or replay anything, it reads what arrives next.
/// </param>
public sealed record SocketSplit(string SplitId, string Host, int Port, long LinesRead = 0) : SourceSplit(SplitId);
