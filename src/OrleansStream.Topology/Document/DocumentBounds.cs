using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace OrleansStream.Topology.Document;

/// <summary>
/// Checks a YAML text against <see cref="TopologyLimits"/> on YamlDotNet's event stream, before any node tree
/// is built: building the tree recurses once per level of nesting (100,000 nested brackets overflow the
/// stack), and aliases share nodes that later walks (key hashing, validation) expand again each time they are
/// used, so ten levels of aliases of aliases cost 9^10 steps; an alias of a value not defined before it can make a
/// cycle. The event parser itself keeps its nesting on a heap stack, and this check stops it at the first event past a limit.
/// </summary>
internal static class DocumentBounds
{
    /// <exception cref="TopologyException">A limit is exceeded; the message names the line and the limit.</exception>
    /// <exception cref="YamlException">The text is not valid YAML (the caller reports where).</exception>
    public static void Check(string text, string fileName, TopologyLimits limits)
    {
        if (text.Length > limits.MaxLength)
        {
            throw new TopologyException(fileName, 1, 1, string.Empty, $"the document is {text.Length:N0} characters long; the limit is {limits.MaxLength:N0}");
        }

        var parser = new Parser(new StringReader(text));
        // The expanded size of each anchored node, and the open collections with the count at their start.
        var anchored = new Dictionary<AnchorName, long>();
        var open = new Stack<(AnchorName Anchor, long NodesAtStart)>();
        long nodes = 0;
        while (MoveNext(parser, fileName))
        {
            switch (parser.Current)
            {
                case MappingStart or SequenceStart:
                    var start = (NodeEvent)parser.Current;
                    if (open.Count == limits.MaxDepth)
                    {
                        throw Exceeded(fileName, start, $"is nested deeper than {limits.MaxDepth} levels");
                    }

                    open.Push((start.Anchor, nodes));
                    nodes++;
                    break;
                case MappingEnd or SequenceEnd:
                    var (anchor, nodesAtStart) = open.Pop();
                    if (!anchor.IsEmpty)
                    {
                        anchored[anchor] = nodes - nodesAtStart;
                    }

                    break;
                case Scalar scalar:
                    nodes++;
                    if (!scalar.Anchor.IsEmpty)
                    {
                        anchored[scalar.Anchor] = 1;
                    }

                    break;
                case AnchorAlias alias:
                    // Only to a value defined before it: YamlDotNet resolves a later anchor too, and one of a collection the
                    // alias is inside of makes a cycle that its alias resolution recurses on until the stack overflows (found by fuzzing).
                    nodes += anchored.TryGetValue(alias.Value, out long size)
                        ? size
                        : throw new TopologyException(fileName, checked((int)alias.Start.Line), checked((int)alias.Start.Column), string.Empty,
                            $"not valid YAML or JSON: the alias *{alias.Value} refers to no value defined before it (or to one it is inside of)");
                    break;
            }

            if (nodes > limits.MaxNodes)
            {
                throw Exceeded(fileName, parser.Current!, $"has more than {limits.MaxNodes:N0} values (counting each use of an alias as the values it stands for)");
            }
        }
    }

    /// <summary>The parser's next event; YamlDotNet's scanner throws ArgumentException on some input (found by fuzzing: a tag that is no URI).</summary>
    private static bool MoveNext(Parser parser, string fileName)
    {
        try
        {
            return parser.MoveNext();
        }
        catch (ArgumentException ex)
        {
            var at = parser.Current?.End ?? Mark.Empty;
            throw new TopologyException(fileName, Math.Max(1, checked((int)at.Line)), Math.Max(1, checked((int)at.Column)), string.Empty,
                $"not valid YAML or JSON: {ex.Message.Split(" (Parameter", 2)[0].TrimEnd('.')}", inner: ex);
        }
    }

    private static TopologyException Exceeded(string fileName, ParsingEvent at, string problem)
        => new(fileName, checked((int)at.Start.Line), checked((int)at.Start.Column), string.Empty, $"the document is too large: it {problem}");
}
