using OrleansStream.Topology.Rows;

namespace OrleansStream.Topology.Parsing;

/// <summary>Splits a line at a delimiter into exactly as many parts as there are fields, in order.</summary>
internal sealed class SplitLineParser(IReadOnlyList<FieldSpec> fields, string delimiter, bool trim) : LineParser(fields)
{
    public override Row? TryParse(string line, out string? reason)
    {
        var rest = trim ? line.AsSpan().Trim() : line.AsSpan();
        var row = new Row(Fields.Count);
        for (int i = 0; i < Fields.Count; i++)
        {
            int end = i == Fields.Count - 1 ? -1 : rest.IndexOf(delimiter, StringComparison.Ordinal);
            if (i < Fields.Count - 1 && end < 0)
            {
                reason = $"expected {Fields.Count} fields separated by '{delimiter}', got {i + 1}";
                return null;
            }

            var part = end < 0 ? rest : rest[..end];
            if (end < 0 && part.IndexOf(delimiter, StringComparison.Ordinal) >= 0)
            {
                reason = $"expected {Fields.Count} fields separated by '{delimiter}', got more";
                return null;
            }

            if (!Fields[i].TrySet(row, i, trim ? part.Trim() : part, out reason))
            {
                return null;
            }

            rest = end < 0 ? default : rest[(end + delimiter.Length)..];
        }

        reason = null;
        return row;
    }
}
