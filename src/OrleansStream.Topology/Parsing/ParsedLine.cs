using OrleansStream.Connectors.Files;
using OrleansStream.Topology.Rows;

namespace OrleansStream.Topology.Parsing;

/// <summary>A line with its row, or with why it has none. Passed only between the chained operators of a parse step.</summary>
internal readonly record struct ParsedLine(Row? Row, TextLine Line, string? Reason);
