using OrleansStream.Api;

namespace OrleansStream.Topology;

/// <summary>
/// A topology file is wrong: the message names the file, the line and column, and the field at fault,
/// e.g. <c>ipcount.yaml:14:17: steps[3] (filter 'well-formed').expression: unknown identifier 'ipp'</c>.
/// </summary>
public sealed class TopologyException : JobDefinitionException
{
    public TopologyException(string fileName, int line, int column, string field, string problem, string? fieldDescription = null, Exception? inner = null)
        : base(fileName, $"{fileName}:{line}:{column}: {(string.IsNullOrEmpty(fieldDescription ?? field) ? "" : (fieldDescription ?? field) + ": ")}{problem}", inner)
    {
        Line = line;
        Column = column;
        Field = field;
        Problem = problem;
    }

    /// <summary>1-based line of the value (or key) at fault.</summary>
    public int Line { get; }

    /// <summary>1-based column of the value (or key) at fault.</summary>
    public int Column { get; }

    /// <summary>The path of the field at fault, such as <c>steps[3].expression</c>; empty for the whole document.</summary>
    public string Field { get; }

    /// <summary>What is wrong, without the location.</summary>
    public string Problem { get; }
}
