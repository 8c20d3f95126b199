using System.Text.RegularExpressions;
using OrleansStream.Topology.Rows;

namespace OrleansStream.Topology.Parsing;

/// <summary>Matches a line against a pattern; each field is read from its named group.</summary>
internal sealed class RegexLineParser(IReadOnlyList<FieldSpec> fields, Regex pattern) : LineParser(fields)
{
    private readonly int[] _groups = fields.Select(f => pattern.GroupNumberFromName(f.Source)).ToArray();

    public override Row? TryParse(string line, out string? reason)
    {
        var match = pattern.Match(line);
        if (!match.Success)
        {
            reason = "does not match the pattern";
            return null;
        }

        var row = new Row(Fields.Count);
        for (int i = 0; i < Fields.Count; i++)
        {
            var group = match.Groups[_groups[i]];
            if (!group.Success)
            {
                reason = $"group '{Fields[i].Source}' did not match";
                return null;
            }

            if (!Fields[i].TrySet(row, i, group.ValueSpan, out reason))
            {
                return null;
            }
        }

        reason = null;
        return row;
    }
}
