using StackExchange.Redis;

namespace OrleansStream.Connectors.Redis;

/// <summary>
/// Exactly-once sinks that append records to a Redis stream (XADD) when the checkpoint that covers them
/// completes; see <see cref="RedisStreamSink{T}"/>.
/// </summary>
public static class RedisStreamSink
{
    /// <summary>Adds each record as an entry with one field, <c>"value"</c>: the formatted record (what <see cref="RedisStreamSource.Strings"/> reads).</summary>
    /// <param name="connectionString">A StackExchange.Redis connection string, e.g. <c>"localhost:6379"</c>.</param>
    /// <param name="streamKey">The stream to append to.</param>
    /// <param name="format">Formats a record; <c>ToString()</c> (or "null") by default.</param>
    public static RedisStreamSink<T> Strings<T>(string connectionString, string streamKey, Func<T, string>? format = null)
    {
        var toText = format ?? (static value => value?.ToString() ?? "null");
        return new RedisStreamSink<T>(connectionString, streamKey, value => [new NameValueEntry("value", toText(value))]);
    }

    /// <summary>Adds each record as an entry with the fields and values <paramref name="toFields"/> gives (at least one).</summary>
    /// <param name="connectionString">A StackExchange.Redis connection string, e.g. <c>"localhost:6379"</c>.</param>
    /// <param name="streamKey">The stream to append to.</param>
    /// <param name="toFields">The entry's fields and values for a record.</param>
    public static RedisStreamSink<T> Create<T>(string connectionString, string streamKey, Func<T, NameValueEntry[]> toFields)
    {
        ArgumentNullException.ThrowIfNull(toFields);
        return new RedisStreamSink<T>(connectionString, streamKey, toFields);
    }
}
