using System.Globalization;
using OrleansStream.Connectors.Files;

namespace OrleansStream.Samples.IpCount;

/// <summary>A visit: the client IP and the event time (epoch milliseconds) of a log line.</summary>
public readonly record struct Visit(string Ip, long Timestamp);

/// <summary>A parsed log line: a visit, or why the line was rejected.</summary>
public sealed record LogLine(Visit? Visit, string? Rejection)
{
    /// <summary>Parses <c>HH:mm:ss &lt;ip&gt;</c> or <c>yyyy-MM-dd_HH:mm:ss &lt;ip&gt;</c>; never throws on bad input.</summary>
    public static LogLine Parse(TextLine line)
    {
        var text = line.Text.AsSpan().Trim();
        int space = text.IndexOf(' ');
        if (space <= 0)
        {
            return Reject(line, "expected '<time> <ip>'");
        }

        if (!LogTime.TryParse(text[..space], out long timestamp))
        {
            return Reject(line, "time is not HH:mm:ss or yyyy-MM-dd_HH:mm:ss");
        }

        var ip = text[(space + 1)..].Trim();
        if (ip.IsEmpty || ip.Contains(' ') || !System.Net.IPAddress.TryParse(ip, out _))
        {
            return Reject(line, "not an IP address");
        }

        return new LogLine(new Visit(ip.ToString(), timestamp), null);
    }

    private static LogLine Reject(TextLine line, string reason)
        => new(null, string.Create(CultureInfo.InvariantCulture, $"{line.Path}:{line.LineNumber}: {reason}: {line.Text}"));
}

/// <summary>
/// The two time formats of the lessons. <c>HH:mm:ss</c> has no date: it is read as a time of day
/// on 1970-01-01 (UTC), so its timestamps are below one day, and that is how it is written back.
/// </summary>
public static class LogTime
{
    private const string TimeOfDay = "HH:mm:ss";
    private const string DateAndTime = "yyyy-MM-dd_HH:mm:ss";
    private static readonly long OneDay = (long)TimeSpan.FromDays(1).TotalMilliseconds;

    public static bool TryParse(ReadOnlySpan<char> text, out long timestamp)
    {
        var styles = DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal;
        if (DateTime.TryParseExact(text, TimeOfDay, CultureInfo.InvariantCulture, styles, out var time))
        {
            timestamp = (long)time.TimeOfDay.TotalMilliseconds;
            return true;
        }

        if (DateTime.TryParseExact(text, DateAndTime, CultureInfo.InvariantCulture, styles, out var dateTime))
        {
            timestamp = new DateTimeOffset(dateTime, TimeSpan.Zero).ToUnixTimeMilliseconds();
            return true;
        }

        timestamp = 0;
        return false;
    }

    public static string Format(long timestamp)
    {
        var time = DateTimeOffset.FromUnixTimeMilliseconds(timestamp).UtcDateTime;
        return time.ToString(timestamp < OneDay ? TimeOfDay : DateAndTime, CultureInfo.InvariantCulture);
    }
}
