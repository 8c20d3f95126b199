using OrleansStream.Api.Connectors;

namespace OrleansStream.Connectors.Files;

/// <summary>
/// A byte range of one file and how far it has been read. Ranges let a single large file keep every
/// subtask busy; a range owns each line that starts inside it, so ranges can be cut anywhere without losing
/// or repeating lines. The split is self-contained: a reader on any subtask continues it from
/// <see cref="Position"/> alone.
/// </summary>
/// <param name="SplitId">A stable id, <c>"{Path}:{Start}-{End}"</c>.</param>
/// <param name="Path">The full path of the file.</param>
/// <param name="Start">The first byte of the range.</param>
/// <param name="End">The byte after the range; lines starting at or after it belong to the next range.</param>
/// <param name="Position">
/// The byte offset of the next unread line, or null when reading has not started (the reader then finds the
/// first line the range owns).
/// </param>
/// <param name="LineNumber">
/// The 1-based number of the line at <see cref="Position"/>, when the reader counted lines (numbered lines);
/// null when unknown, in which case a numbered reader counts the line breaks before <see cref="Position"/>.
/// </param>
/// <param name="Finished">True when every line of the range has been emitted; a reader then skips the split without opening the file.</param>
public sealed record FileSplit(
    string SplitId, string Path, long Start, long End, long? Position = null, long? LineNumber = null, bool Finished = false)
    : SourceSplit(SplitId)
{
    internal static FileSplit Create(string path, long start, long end) => new($"{path}:{start}-{end}", path, start, end);

    /// <summary>Throws when the recorded progress cannot belong to this range, e.g. a corrupted checkpoint.</summary>
    internal void Validate()
    {
        if (Start < 0 || End < Start)
        {
            throw new ArgumentException($"The file split '{SplitId}' has an invalid range {Start}-{End}.");
        }

        if (Position is { } position && position < Start)
        {
            throw new ArgumentException($"The file split '{SplitId}' has a position {position} before its start {Start}.");
        }

        if (LineNumber is { } line && line < 1)
        {
            throw new ArgumentException($"The file split '{SplitId}' has a line number {line}; line numbers start at 1.");
        }
    }
}
