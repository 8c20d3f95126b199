namespace OrleansStream.Connectors.Files;

/// <summary>
/// A line together with where it came from, so that errors in parsed input can be traced back to
/// the exact file and line even though byte ranges of one file are read by different subtasks.
/// </summary>
/// <param name="Path">The full path of the file.</param>
/// <param name="LineNumber">The 1-based line number within the file.</param>
/// <param name="Text">The line without its line ending.</param>
public readonly record struct TextLine(string Path, long LineNumber, string Text);
