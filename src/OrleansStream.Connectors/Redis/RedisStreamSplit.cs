using OrleansStream.Api.Connectors;

namespace OrleansStream.Connectors.Redis;

/// <summary>
/// One stream key of a <see cref="RedisStreamSource{T}"/> and how far it has been read. The entry ids are the
/// offsets: a reader continues with the entries after <see cref="LastReadId"/>, on whichever subtask it runs.
/// </summary>
/// <param name="SplitId">A stable id, <c>"redis-stream:{StreamKey}"</c>.</param>
/// <param name="StreamKey">The key of the stream.</param>
/// <param name="LastReadId">The id of the last entry emitted; <c>"0-0"</c> before the first.</param>
/// <param name="EndId">
/// For a bounded source, the id of the last entry to read (the newest entry when reading the split began;
/// <c>"0-0"</c> for a stream that was empty or missing); null while not yet known, or for an unbounded source.
/// </param>
/// <param name="Finished">True when a bounded split has emitted everything up to <see cref="EndId"/>.</param>
/// <param name="EntriesRead">
/// How many entries the split has emitted, from the stream's first: with the stream's count of entries ever added, it
/// gives the entries still to read (the backlog) without reading them. 0 in checkpoints taken before it was kept.
/// </param>
public sealed record RedisStreamSplit(string SplitId, string StreamKey, string LastReadId = "0-0", string? EndId = null, bool Finished = false, long EntriesRead = 0)
    : SourceSplit(SplitId)
{
    internal static RedisStreamSplit Create(string streamKey) => new($"redis-stream:{streamKey}", streamKey);
}
