namespace OrleansStream.Connectors.Redis;

/// <summary>
/// Sources that read Redis Streams (XREAD) with one split per stream key. Entry ids are the offsets, so the
/// source is replayable: with checkpoints every entry is emitted exactly once across failures, as long as the
/// entries after the last checkpoint are still in the stream (not trimmed away) when the job restarts.
/// </summary>
public static class RedisStreamSource
{
    /// <summary>Reads the field <c>"value"</c> of every entry as a string.</summary>
    /// <param name="connectionString">A StackExchange.Redis connection string, e.g. <c>"localhost:6379"</c>.</param>
    /// <param name="streamKeys">The stream keys to read, one split each.</param>
    /// <remarks>An entry without a <c>"value"</c> field fails the job with an error naming the stream and the entry id.</remarks>
    public static RedisStreamSource<string> Strings(string connectionString, params string[] streamKeys)
        => new(connectionString, streamKeys, ValueField);

    /// <summary>Reads every entry and turns it into a record with <paramref name="map"/>.</summary>
    /// <param name="connectionString">A StackExchange.Redis connection string, e.g. <c>"localhost:6379"</c>.</param>
    /// <param name="streamKeys">The stream keys to read, one split each.</param>
    /// <param name="map">Builds a record from an entry; called once per entry, in id order within a stream.</param>
    public static RedisStreamSource<T> Create<T>(string connectionString, IReadOnlyList<string> streamKeys, Func<RedisStreamEntry, T> map)
    {
        ArgumentNullException.ThrowIfNull(map);
        return new RedisStreamSource<T>(connectionString, streamKeys, map);
    }

    private static string ValueField(RedisStreamEntry entry)
        => entry["value"] ?? throw new InvalidDataException(
            $"The entry {entry.Id} of the Redis stream '{entry.StreamKey}' has no field 'value' "
            + $"(its fields: {string.Join(", ", entry.Values.Select(v => (string?)v.Name))}); map entries with RedisStreamSource.Create.");
}
