using System.Globalization;
using System.Text.RegularExpressions;

namespace OrleansStream.Topology.Document;

/// <summary>Durations as written in topology files: <c>500ms</c>, <c>2s</c>, <c>1.5 s</c>, <c>10m</c>, <c>1h</c>, <c>1d</c>; a bare number is seconds.</summary>
internal static partial class Durations
{
    public static bool TryParse(string text, out TimeSpan duration)
    {
        duration = default;
        var match = Pattern().Match(text);
        if (!match.Success || !double.TryParse(match.Groups[1].Value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double amount))
        {
            return false;
        }

        double milliseconds = match.Groups[2].Value switch
        {
            "ms" => amount,
            "" or "s" => amount * 1_000,
            "m" or "min" => amount * 60_000,
            "h" => amount * 3_600_000,
            _ => amount * 86_400_000,
        };
        duration = TimeSpan.FromMilliseconds(Math.Round(milliseconds));
        return true;
    }

    [GeneratedRegex(@"^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|min|h|d)?\s*$", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();
}
