namespace OrleansStream.Connectors;

/// <summary>
/// A byte range of one file. Ranges let a single large file keep every subtask busy; a range owns
/// each line that starts inside it, so ranges can be cut anywhere without losing or repeating lines.
/// </summary>
/// <param name="SplitId">A stable id, <c>"{Path}:{Start}-{End}"</c>, that offsets are keyed by.</param>
/// <param name="Path">The full path of the file.</param>
/// <param name="Start">The first byte of the range.</param>
/// <param name="End">The byte after the range; lines starting at or after it belong to the next range.</param>
public sealed record FileSplit(string SplitId, string Path, long Start, long End) : SourceSplit(SplitId)
{
    internal static FileSplit Create(string path, long start, long end) => new($"{path}:{start}-{end}", path, start, end);
}
