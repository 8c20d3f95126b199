using System.Globalization;
using System.Runtime.CompilerServices;
using OrleansStream.Topology.Document;
using OrleansStream.Topology.Rows;

namespace OrleansStream.Topology.Sinks;

/// <summary>
/// A line template such as <c>"{window_start:HH:mm:ss} {ip} {count}"</c>: literal text, and fields in braces
/// with an optional .NET format after a colon; <c>{{</c> and <c>}}</c> are literal braces. Numbers are
/// formatted with the invariant culture, timestamps as UTC <see cref="DateTime"/>s (ISO 8601 without a format).
/// </summary>
internal sealed class RowFormatTemplate
{
    private readonly Part[] _parts;
    private readonly int _literalLength;

    private RowFormatTemplate(Part[] parts)
    {
        _parts = parts;
        _literalLength = parts.Where(p => p.Field < 0).Sum(p => p.Text!.Length);
    }

    public static RowFormatTemplate Parse(ScalarValue value, RowSchema schema)
    {
        string template = value.Text ?? string.Empty;
        var parts = new List<Part>();
        var literal = new System.Text.StringBuilder();
        for (int i = 0; i < template.Length; i++)
        {
            char c = template[i];
            if ((c == '{' || c == '}') && i + 1 < template.Length && template[i + 1] == c)
            {
                literal.Append(c);
                i++;
                continue;
            }

            if (c == '}')
            {
                throw value.ErrorAt(i, "a '}' without its '{' in the format (write }} for a literal brace)");
            }

            if (c != '{')
            {
                literal.Append(c);
                continue;
            }

            int close = template.IndexOf('}', i + 1);
            if (close < 0)
            {
                throw value.ErrorAt(i, "a '{' without its '}' in the format (write {{ for a literal brace)");
            }

            string placeholder = template[(i + 1)..close];
            int colon = placeholder.IndexOf(':');
            string name = (colon < 0 ? placeholder : placeholder[..colon]).Trim();
            string? format = colon < 0 ? null : placeholder[(colon + 1)..];
            int field = schema.IndexOf(name);
            if (field < 0)
            {
                throw value.ErrorAt(i + 1, $"unknown field '{name}' in the format (fields here: {schema.Describe()})");
            }

            if (literal.Length > 0)
            {
                parts.Add(new Part(-1, FieldType.String, literal.ToString(), null));
                literal.Clear();
            }

            parts.Add(new Part(field, schema[field].Type, null, format));
            i = close;
        }

        if (literal.Length > 0)
        {
            parts.Add(new Part(-1, FieldType.String, literal.ToString(), null));
        }

        return new RowFormatTemplate([.. parts]);
    }

    /// <summary>All fields separated by spaces: the format when a sink gives none.</summary>
    public static RowFormatTemplate AllFields(RowSchema schema)
    {
        var parts = new List<Part>();
        for (int i = 0; i < schema.Count; i++)
        {
            if (i > 0)
            {
                parts.Add(new Part(-1, FieldType.String, " ", null));
            }

            parts.Add(new Part(i, schema[i].Type, null, null));
        }

        return new RowFormatTemplate([.. parts]);
    }

    public string Format(Row row)
    {
        var handler = new DefaultInterpolatedStringHandler(_literalLength, _parts.Length, CultureInfo.InvariantCulture, stackalloc char[256]);
        foreach (var part in _parts)
        {
            if (part.Field < 0)
            {
                handler.AppendLiteral(part.Text!);
                continue;
            }

            switch (part.Type)
            {
                case FieldType.String:
                    handler.AppendFormatted(row.GetString(part.Field));
                    break;
                case FieldType.Long:
                    handler.AppendFormatted(row.GetLong(part.Field), part.Format);
                    break;
                case FieldType.Double:
                    handler.AppendFormatted(row.GetDouble(part.Field), part.Format);
                    break;
                case FieldType.Bool:
                    handler.AppendLiteral(row.GetBool(part.Field) ? "true" : "false");
                    break;
                default:
                    handler.AppendFormatted(row.GetDateTime(part.Field), part.Format ?? "yyyy-MM-dd'T'HH:mm:ss.fff'Z'");
                    break;
            }
        }

        return handler.ToStringAndClear();
    }

    private sealed record Part(int Field, FieldType Type, string? Text, string? Format);
}
