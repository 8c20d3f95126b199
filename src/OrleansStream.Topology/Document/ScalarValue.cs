using System.Globalization;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace OrleansStream.Topology.Document;

/// <summary>
/// A scalar of the document with its position, read as the type a field expects. Job parameters are
/// substituted first; while validating at parse time, a value that needs a parameter without a
/// default is <see cref="IsDeferred"/> and its typed readers return the fallback they are given.
/// </summary>
internal sealed class ScalarValue
{
    private readonly DocumentContext _context;

    public ScalarValue(YamlScalarNode node, FieldPath path, DocumentContext context)
    {
        Node = node;
        Path = path;
        _context = context;
        Raw = node.Value ?? string.Empty;
        try
        {
            Text = context.Parameters.Resolve(Raw);
        }
        catch (FormatException ex)
        {
            throw Error(ex.Message);
        }
    }

    public YamlScalarNode Node { get; }

    public FieldPath Path { get; }

    /// <summary>The value as written, before parameters are substituted.</summary>
    public string Raw { get; }

    /// <summary>The value with parameters substituted; null when deferred.</summary>
    public string? Text { get; }

    public bool IsDeferred => Text is null;

    /// <summary>True when the value is written on one line as is, so a position within it maps to a column.</summary>
    public bool MapsColumns => Text == Raw && Node.Start.Line == Node.End.Line
        && Node.Style is ScalarStyle.Plain or ScalarStyle.SingleQuoted or ScalarStyle.DoubleQuoted && !Raw.Contains('\'') && !Raw.Contains('\\');

    public TopologyException Error(string problem, Exception? inner = null) => _context.Error(Node, Path, problem, inner);

    /// <summary>The error at a character of the value, when its column can be known.</summary>
    public TopologyException ErrorAt(int position, string problem, Exception? inner = null)
    {
        if (!MapsColumns || position < 0 || position > Raw.Length)
        {
            return Error(problem, inner);
        }

        int quote = Node.Style == ScalarStyle.Plain ? 0 : 1;
        return _context.Error(checked((int)Node.Start.Line), checked((int)Node.Start.Column) + quote + position, Path, problem, inner);
    }

    /// <summary>
    /// A path a file source or sink reads or writes. Where <see cref="TopologyLimits.FileRoots"/> are set, it must lie
    /// under one of them once made absolute (".." and all): a topology may not reach every file the silo's user can.
    /// </summary>
    public string FilePath()
    {
        string path = String();
        if (IsDeferred || _context.Limits.FileRoots is not { Length: > 0 } roots)
        {
            return path;
        }

        string full = System.IO.Path.GetFullPath(path);
        foreach (string root in roots)
        {
            string directory = System.IO.Path.TrimEndingDirectorySeparator(System.IO.Path.GetFullPath(root));
            if (full == directory || full.StartsWith(directory + System.IO.Path.DirectorySeparatorChar, StringComparison.Ordinal))
            {
                return path;
            }
        }

        throw Error($"'{full}' is outside the directories topologies may use on this cluster ({string.Join(", ", roots)})");
    }

    public string String(string fallback = "deferred")
    {
        if (Text is null)
        {
            return fallback;
        }

        return Text.Length > 0 ? Text : throw Error("must not be empty");
    }

    public int Int(int min, int max = int.MaxValue, int fallback = 1)
    {
        if (Text is null)
        {
            return fallback;
        }

        return int.TryParse(Text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int value) && value >= min && value <= max
            ? value
            : throw Error(max == int.MaxValue ? $"expected an integer of at least {min}, got '{Text}'" : $"expected an integer from {min} to {max}, got '{Text}'");
    }

    public long Long(long min, long fallback = 1)
    {
        if (Text is null)
        {
            return fallback;
        }

        return long.TryParse(Text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long value) && value >= min
            ? value
            : throw Error($"expected an integer of at least {min}, got '{Text}'");
    }

    public double PositiveDouble(double fallback = 1)
    {
        if (Text is null)
        {
            return fallback;
        }

        return double.TryParse(Text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) && double.IsFinite(value) && value > 0
            ? value
            : throw Error($"expected a positive number, got '{Text}'");
    }

    /// <summary>A number from <paramref name="min"/> to <paramref name="max"/>, both included.</summary>
    public double Number(double min, double max, double fallback = 0)
    {
        if (Text is null)
        {
            return fallback;
        }

        return double.TryParse(Text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) && value >= min && value <= max
            ? value
            : throw Error(string.Create(CultureInfo.InvariantCulture, $"expected a number from {min} to {max}, got '{Text}'"));
    }

    public bool Bool(bool fallback = false)
    {
        if (Text is null)
        {
            return fallback;
        }

        return Text switch
        {
            "true" or "True" or "TRUE" or "yes" => true,
            "false" or "False" or "FALSE" or "no" => false,
            _ => throw Error($"expected true or false, got '{Text}'"),
        };
    }

    public TimeSpan Duration(bool allowZero, TimeSpan? fallback = null)
    {
        if (Text is null)
        {
            return fallback ?? TimeSpan.FromSeconds(1);
        }

        if (!Durations.TryParse(Text, out var duration))
        {
            throw Error($"expected a duration such as 500ms, 5s, 1.5s, 10m or 1h, got '{Text}'");
        }

        return duration > TimeSpan.Zero || (allowZero && duration == TimeSpan.Zero)
            ? duration
            : throw Error($"expected a {(allowZero ? "non-negative" : "positive")} duration, got '{Text}'");
    }

    /// <summary>One of <paramref name="choices"/> (compared ignoring case); the first one while deferred.</summary>
    public string Choice(params string[] choices)
    {
        if (Text is null)
        {
            return choices[0];
        }

        return choices.FirstOrDefault(c => string.Equals(c, Text, StringComparison.OrdinalIgnoreCase))
            ?? throw Error($"expected one of {string.Join(", ", choices)}, got '{Text}'");
    }
}
