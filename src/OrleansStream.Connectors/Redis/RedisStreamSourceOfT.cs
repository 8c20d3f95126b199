using OrleansStream.Api.Connectors;

namespace OrleansStream.Connectors.Redis;

/// <summary>
/// A Redis Streams source, created by <see cref="RedisStreamSource"/>. The <c>With…</c>/<c>As…</c> options return
/// a new source and leave this one unchanged.
/// </summary>
/// <remarks>
/// <para>
/// Each split is one stream key, read from its start (entry id <c>0-0</c>) with plain XREAD in batches: never
/// XREAD BLOCK, since the connection is shared by every subtask in the silo and a read must not hold a grain turn.
/// An unbounded source polls: when no stream has new entries the reader reports nothing available and is asked
/// again shortly. A bounded source (<see cref="AsBounded"/>) stops each stream at its newest entry as of the
/// moment reading of that split began, so tests and batch jobs end.
/// </para>
/// <para>
/// All Redis sources and sinks of a process share one connection per connection string.
/// </para>
/// </remarks>
public sealed record RedisStreamSource<T> : ISource<T>, IWatchableSource
{
    internal RedisStreamSource(string connectionString, IReadOnlyList<string> streamKeys, Func<RedisStreamEntry, T> map)
    {
        ConnectionString = RedisConnections.Validate(connectionString, nameof(connectionString));
        ArgumentNullException.ThrowIfNull(streamKeys);
        if (streamKeys.Count == 0)
        {
            throw new ArgumentException("A Redis stream source needs at least one stream key.", nameof(streamKeys));
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (string key in streamKeys)
        {
            if (string.IsNullOrEmpty(key))
            {
                throw new ArgumentException("A Redis stream key must not be null or empty.", nameof(streamKeys));
            }

            if (!seen.Add(key))
            {
                throw new ArgumentException($"The Redis stream key '{key}' is given twice; each key is one split.", nameof(streamKeys));
            }
        }

        StreamKeys = [.. streamKeys];
        Map = map;
    }


    public string ConnectionString { get; }

    public IReadOnlyList<string> StreamKeys { get; }

    /// <summary>True when each stream is read up to its newest entry as of when its reading began, and then ends.</summary>
    public bool IsBounded { get; private init; }

    /// <summary>True when records carry the milliseconds part of their entry id as their event timestamp.</summary>
    public bool UsesEntryIdTimestamps { get; private init; }

    public int? MaxParallelism => null;

    public ISplitSerializer SplitSerializer => JsonSplitSerializer<RedisStreamSplit>.Instance;

    internal Func<RedisStreamEntry, T> Map { get; }

    /// <summary>Ends each stream at its newest entry as of when reading it began, instead of polling for more.</summary>
    public RedisStreamSource<T> AsBounded() => this with { IsBounded = true };

    /// <summary>
    /// Gives each record the milliseconds part of its entry id as event timestamp: the time Redis added it, when
    /// Redis generated the id (XADD with <c>*</c>).
    /// </summary>
    public RedisStreamSource<T> WithEntryIdTimestamps() => this with { UsesEntryIdTimestamps = true };

    /// <summary>One split per stream key, whatever the parallelism; subtasks beyond the key count stay idle.</summary>
    public IReadOnlyList<SourceSplit> CreateSplits(int parallelism)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(parallelism, 1);
        return StreamKeys.Select(SourceSplit (key) => RedisStreamSplit.Create(key)).ToList();
    }

    /// <summary>Creates a reader that continues each split after the entry id recorded in it.</summary>
    public ISourceReader<T> CreateReader(SourceReaderContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return new RedisStreamReader<T>(this, context.Splits);
    }

    /// <summary>The last entry id read of each stream of <paramref name="splits"/>, for a job that idles on this source.</summary>
    public string MarkOf(IReadOnlyList<SourceSplit> splits) => RedisStreamWatcher.Mark(splits);

    /// <summary>Watches the streams' newest entry ids for a job that idles on this source.</summary>
    public ISourceInputWatcher CreateInputWatcher() => new RedisStreamWatcher(ConnectionString);

    public override string ToString() => $"redis streams {string.Join(", ", StreamKeys)} ({RedisConnections.Describe(ConnectionString)})";
}
