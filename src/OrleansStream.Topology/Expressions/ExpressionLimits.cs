namespace OrleansStream.Topology.Expressions;

/// <summary>
/// The members of <see cref="string"/> that can make a string far longer than their inputs, with the
/// result's length checked before it is made (see <see cref="ExpressionBounds"/>). A longer result fails
/// the record with <see cref="ExpressionLimitException"/>, which names the limit; the step's name is added
/// where the job fails.
/// </summary>
internal static class ExpressionLimits
{
    /// <summary>The longest string an expression makes with these members: 1 Mi characters, the longest line a source reads.</summary>
    public const int MaxStringLength = 1 << 20;

    /// <summary>The longest format a <c>ToString(format)</c> takes, and the largest precision in one.</summary>
    public const int MaxFormatLength = 256, MaxPrecision = 100;

    public static string Repeat(char c, int count) => new(c, Checked(count, "new string(c, count)"));

    public static string PadLeft(string text, int width, char padding) => text.PadLeft(Checked(width, "PadLeft"), padding);

    public static string PadRight(string text, int width, char padding) => text.PadRight(Checked(width, "PadRight"), padding);

    public static string Replace(string text, string oldValue, string newValue)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentException.ThrowIfNullOrEmpty(oldValue);
        if (newValue is { Length: var n } && n > oldValue.Length)
        {
            long length = text.Length + (long)Occurrences(text, oldValue) * (n - oldValue.Length);
            Checked(length, "Replace");
        }

        return text.Replace(oldValue, newValue, StringComparison.Ordinal);
    }

    public static string Join(object separator, IEnumerable<string?> strings)
    {
        // The strings come from the row (a split, at most a line long): listing them first costs no more than joining.
        var values = strings.ToArray();
        long length = (long)(separator is string s ? s.Length : 1) * Math.Max(values.Length - 1, 0);
        foreach (var value in values)
        {
            length += value?.Length ?? 0;
        }

        Checked(length, "Join");
        return separator is string text ? string.Join(text, values) : string.Join((char)separator, values);
    }

    /// <summary>The format, if a number or time formatted with it stays short: a standard format's precision is at most <see cref="MaxPrecision"/>.</summary>
    public static string? Format(string? format)
    {
        if (format is null)
        {
            return null;
        }

        if (format.Length > MaxFormatLength)
        {
            throw new ExpressionLimitException($"the format of ToString is {format.Length:N0} characters long; the limit is {MaxFormatLength}");
        }

        // A standard numeric format is a letter and an optional precision ("N2"); custom formats print about a character per character.
        if (format.Length > 1 && char.IsAsciiLetter(format[0]) && format.AsSpan(1).IndexOfAnyExceptInRange('0', '9') < 0
            && (format.Length > 4 || int.Parse(format.AsSpan(1)) > MaxPrecision))
        {
            throw new ExpressionLimitException($"the precision of the format '{format}' is above {MaxPrecision}");
        }

        return format;
    }

    private static int Occurrences(string text, string value)
    {
        int count = 0;
        for (int at = text.IndexOf(value, StringComparison.Ordinal); at >= 0; at = text.IndexOf(value, at + value.Length, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }

    private static int Checked(long length, string member)
    {
        if (length > MaxStringLength)
        {
            throw new ExpressionLimitException($"{member} would make a string of {length:N0} characters; expressions make strings of at most {MaxStringLength:N0}");
        }

        return (int)length;
    }
}

/// <summary>An expression would have made a value larger than <see cref="ExpressionLimits"/> allows.</summary>
internal sealed class ExpressionLimitException(string message) : InvalidOperationException(message);
