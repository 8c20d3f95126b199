using OrleansStream.Connectors.Files;
using OrleansStream.Nexmark.Model;

namespace OrleansStream.Nexmark.Formats;

/// <summary>A line of a JSON-lines event file, read: the event, or why the line was rejected
/// (<see cref="Rejection"/>: <c>file:line: what is wrong</c>; null for a valid line).</summary>
public readonly record struct ParsedEvent(NexmarkEvent Event, string? Rejection)
{
    public bool IsValid => Rejection is null;

    public static ParsedEvent Parse(TextLine line)
        => NexmarkJson.TryParse(line.Text, out var value, out string error)
            ? new ParsedEvent(value, null)
            : new ParsedEvent(default, $"{line.Path}:{line.LineNumber}: {error}");
}
