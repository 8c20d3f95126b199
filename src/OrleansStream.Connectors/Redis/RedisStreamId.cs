using System.Globalization;

namespace OrleansStream.Connectors.Redis;

/// <summary>
/// A Redis stream entry id, <c>{milliseconds}-{sequence}</c>: entry ids only grow within a stream, so they are
/// the stream's offsets.
/// </summary>
internal readonly record struct RedisStreamId(ulong Milliseconds, ulong Sequence) : IComparable<RedisStreamId>
{
    /// <summary>The id before every entry: reading after it reads the stream from its start.</summary>
    public static readonly RedisStreamId Zero = new(0, 0);

    public static bool TryParse(string? text, out RedisStreamId id)
    {
        id = default;
        if (text is null)
        {
            return false;
        }

        int dash = text.IndexOf('-');
        if (dash <= 0
            || !ulong.TryParse(text.AsSpan(0, dash), NumberStyles.None, CultureInfo.InvariantCulture, out ulong milliseconds)
            || !ulong.TryParse(text.AsSpan(dash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out ulong sequence))
        {
            return false;
        }

        id = new RedisStreamId(milliseconds, sequence);
        return true;
    }

    public static RedisStreamId Parse(string text, string what)
        => TryParse(text, out var id) ? id : throw new FormatException($"{what} '{text}' is not a Redis stream entry id of the form <milliseconds>-<sequence>.");

    public int CompareTo(RedisStreamId other)
    {
        int byTime = Milliseconds.CompareTo(other.Milliseconds);
        return byTime != 0 ? byTime : Sequence.CompareTo(other.Sequence);
    }

    public static bool operator <(RedisStreamId left, RedisStreamId right) => left.CompareTo(right) < 0;

    public static bool operator >(RedisStreamId left, RedisStreamId right) => left.CompareTo(right) > 0;

    public static bool operator <=(RedisStreamId left, RedisStreamId right) => left.CompareTo(right) <= 0;

    public static bool operator >=(RedisStreamId left, RedisStreamId right) => left.CompareTo(right) >= 0;

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Milliseconds}-{Sequence}");
}
