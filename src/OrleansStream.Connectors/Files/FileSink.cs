using OrleansStream.Api.Connectors;

namespace OrleansStream.Connectors.Files;

/// <summary>
/// Sinks that write records as UTF-8 text lines. <see cref="ToFile{T}"/> and <see cref="ToDirectory{T}"/> are
/// meant for results and tests, not for exactly-once output: files are overwritten when a subtask opens, and a
/// restarted job writes them again. <see cref="ForRowFormat{T}"/> is exactly-once with checkpoints.
/// </summary>
public static class FileSink
{
    /// <summary>Writes all records into one file; the sink therefore runs with parallelism 1.</summary>
    /// <param name="path">The file; parent directories are created and an existing file is overwritten.</param>
    /// <param name="format">Formats a record; <c>ToString()</c> (or "null") by default.</param>
    public static ISink<T> ToFile<T>(string path, Func<T, string>? format = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        return new TextFileSink<T>(Path.GetFullPath(path), isDirectory: false, format);
    }

    /// <summary>Writes one file per subtask, <c>part-{subtaskIndex}</c>, so any parallelism writes without coordination.</summary>
    /// <param name="directory">The directory; it is created, and existing part files are overwritten.</param>
    /// <param name="format">Formats a record; <c>ToString()</c> (or "null") by default.</param>
    public static ISink<T> ToDirectory<T>(string directory, Func<T, string>? format = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        return new TextFileSink<T>(Path.GetFullPath(directory), isDirectory: true, format);
    }

    /// <summary>
    /// Writes part files that become visible when the checkpoint that covers their records completes, so the
    /// output holds every record exactly once across failures (Flink's <c>FileSink.forRowFormat</c>).
    /// </summary>
    /// <param name="directory">The directory; it is created. Give each sink its own.</param>
    /// <param name="format">Formats a record as one line; <c>ToString()</c> (or "null") by default.</param>
    /// <remarks>See <see cref="RowFormatFileSink{T}"/> for the file names and what happens on failure.</remarks>
    public static RowFormatFileSink<T> ForRowFormat<T>(string directory, Func<T, string>? format = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        return new RowFormatFileSink<T>(Path.GetFullPath(directory), format);
    }
}
