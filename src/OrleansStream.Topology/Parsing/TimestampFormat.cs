using System.Globalization;

namespace OrleansStream.Topology.Parsing;

/// <summary>
/// Reads timestamps with .NET custom formats (<c>yyyy-MM-dd_HH:mm:ss</c>), tried in order, or the names
/// <c>iso</c> (ISO 8601), <c>epoch-millis</c> and <c>epoch-seconds</c>. Times are UTC unless they say
/// otherwise. A format with no date part (<c>HH:mm:ss</c>) reads a time of day on 1970-01-01, so such
/// timestamps are below one day (as the IP count's log lines are).
/// </summary>
internal sealed class TimestampFormat
{
    private const DateTimeStyles Styles = DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal;
    private readonly string[] _formats;
    private readonly bool[] _timeOfDay;

    public TimestampFormat(IReadOnlyList<string> formats)
    {
        _formats = formats.Count == 0 ? ["iso"] : [.. formats];
        _timeOfDay = _formats.Select(f => !IsNamed(f) && f.IndexOfAny(['y', 'M', 'd']) < 0).ToArray();
    }

    public static bool IsNamed(string format) => format is "iso" or "epoch-millis" or "epoch-seconds";

    public string Describe() => string.Join(" or ", _formats);

    public bool TryParse(ReadOnlySpan<char> text, out long epochMilliseconds)
    {
        for (int i = 0; i < _formats.Length; i++)
        {
            if (TryParse(text, _formats[i], _timeOfDay[i], out epochMilliseconds))
            {
                return true;
            }
        }

        epochMilliseconds = 0;
        return false;
    }

    private static bool TryParse(ReadOnlySpan<char> text, string format, bool timeOfDay, out long epochMilliseconds)
    {
        epochMilliseconds = 0;
        switch (format)
        {
            case "epoch-millis":
                return long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out epochMilliseconds);
            case "epoch-seconds":
                if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double seconds) || !double.IsFinite(seconds))
                {
                    return false;
                }

                epochMilliseconds = (long)Math.Round(seconds * 1000);
                return true;
            case "iso":
                if (!DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var offset))
                {
                    return false;
                }

                epochMilliseconds = offset.ToUnixTimeMilliseconds();
                return true;
        }

        if (!DateTime.TryParseExact(text, format, CultureInfo.InvariantCulture, Styles, out var time))
        {
            return false;
        }

        epochMilliseconds = timeOfDay
            ? (long)time.TimeOfDay.TotalMilliseconds
            : Rows.RowTime.ToEpochMilliseconds(time);
        return true;
    }
}
