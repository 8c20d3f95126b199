using StackExchange.Redis;

namespace OrleansStream.Connectors.Redis;

/// <summary>An entry read from a Redis stream, as a <see cref="RedisStreamSource{T}"/> hands it to its mapping.</summary>
/// <param name="StreamKey">The key of the stream the entry was read from.</param>
/// <param name="Id">The entry id, <c>{milliseconds}-{sequence}</c>.</param>
/// <param name="Values">The entry's fields and values, in the order they were added.</param>
public readonly record struct RedisStreamEntry(string StreamKey, string Id, NameValueEntry[] Values)
{
    /// <summary>The value of <paramref name="field"/> as a string, or null when the entry has no such field.</summary>
    public string? this[string field]
    {
        get
        {
            foreach (var value in Values)
            {
                if (value.Name == field)
                {
                    return value.Value;
                }
            }

            return null;
        }
    }

    /// <summary>The milliseconds part of the id: when Redis added the entry (for ids Redis generated), Unix epoch.</summary>
    public long IdMilliseconds => (long)RedisStreamId.Parse(Id, $"The id of an entry of stream '{StreamKey}'").Milliseconds;
}
