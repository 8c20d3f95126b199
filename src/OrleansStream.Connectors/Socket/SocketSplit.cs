namespace OrleansStream.Connectors;

/// <summary>The single split of a <see cref="SocketTextSource"/>: one connection can be read by one subtask only.</summary>
/// <param name="SplitId">A stable id, <c>"socket:{Host}:{Port}"</c>.</param>
/// <param name="Host">The host to connect to.</param>
/// <param name="Port">The TCP port to connect to.</param>
public sealed record SocketSplit(string SplitId, string Host, int Port) : SourceSplit(SplitId);
