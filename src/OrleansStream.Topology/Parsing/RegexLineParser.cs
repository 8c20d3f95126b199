using System.Text.RegularExpressions;
using OrleansStream.Topology.Rows;

namespace OrleansStream.Topology.Parsing;

/// <summary>
/// Matches a line against a pattern, which has a match timeout; each field is read from its named group.
/// A line the pattern takes longer than the timeout on is rejected, as one that does not match.
/// </summary>
internal sealed class RegexLineParser(IReadOnlyList<FieldSpec> fields, Regex pattern) : LineParser(fields)
{
    /// <summary>Far longer than a sane pattern takes on a line; short enough that a bad one cannot pin a thread.</summary>
    public static readonly TimeSpan DefaultMatchTimeout = TimeSpan.FromMilliseconds(100);

    private readonly int[] _groups = fields.Select(f => pattern.GroupNumberFromName(f.Source)).ToArray();

    public override Row? TryParse(string line, out string? reason)
    {
        Match match;
        try
        {
            match = pattern.Match(line);
        }
        catch (RegexMatchTimeoutException)
        {
            reason = $"the pattern took longer than its match timeout ({pattern.MatchTimeout.TotalMilliseconds:0} ms) on this line";
            return null;
        }

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
