using System.Globalization;
using OrleansStream.Topology.Rows;

namespace OrleansStream.Topology.Parsing;

/// <summary>A field a line is parsed into: its name and type, where it comes from, and how it is read.</summary>
internal sealed class FieldSpec(string name, FieldType type, string source, TimestampFormat? timestamps)
{
    public string Name { get; } = name;

    public FieldType Type { get; } = type;

    /// <summary>The regex group or the JSON path the value comes from (the name by default); unused by split.</summary>
    public string Source { get; } = source;

    /// <summary>Stores <paramref name="text"/> as field <paramref name="index"/> of <paramref name="row"/>; false with a reason when it is not of the field's type.</summary>
    public bool TrySet(Row row, int index, ReadOnlySpan<char> text, out string? reason)
    {
        reason = null;
        switch (Type)
        {
            case FieldType.String:
                row.SetString(index, text.ToString());
                return true;
            case FieldType.Long when long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long number):
                row.SetLong(index, number);
                return true;
            case FieldType.Double when double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double real):
                row.SetDouble(index, real);
                return true;
            case FieldType.Bool when bool.TryParse(text, out bool flag):
                row.SetBool(index, flag);
                return true;
            case FieldType.Timestamp when timestamps!.TryParse(text, out long time):
                row.SetTimestamp(index, time);
                return true;
        }

        reason = Type == FieldType.Timestamp
            ? $"{Name} is not a timestamp ({timestamps!.Describe()})"
            : $"{Name} is not a {Type.Name()}";
        return false;
    }
}
