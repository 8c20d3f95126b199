using OrleansStream.Api.Connectors;

namespace OrleansStream.Connectors.Files;

/// <summary>
/// Sources that read text files line by line. The bounded ones read the files as they are, divided into byte ranges when
/// there are fewer files than splits wanted, so one large file is still read in parallel (like Hadoop's text input).
/// <see cref="Monitor"/> reads files as they come and grow.
/// </summary>
/// <remarks>
/// The files of a bounded source must not change while a job reads them: every subtask plans the splits itself from
/// the file lengths it sees, and all of them have to arrive at the same plan.
/// </remarks>
public static class FileSource
{
    /// <summary>Reads every line of the matching files as a string (UTF-8; '\n' or "\r\n" endings).</summary>
    /// <param name="path">A file, a directory (its files, not recursive), or a pattern such as <c>/data/*.log</c>.</param>
    /// <param name="splitCount">How many splits to aim for; the source's parallelism when null.</param>
    public static ISource<string> Lines(string path, int? splitCount = null)
        => new FileLineSource<string>(path, splitCount, numbered: false, static (_, _, text) => text);

    /// <summary>Reads every line of the matching files with its file and 1-based line number.</summary>
    /// <param name="path">A file, a directory (its files, not recursive), or a pattern such as <c>/data/*.log</c>.</param>
    /// <param name="splitCount">How many splits to aim for; the source's parallelism when null.</param>
    /// <remarks>A subtask reading a range in the middle of a file first counts the line breaks before it.</remarks>
    public static ISource<TextLine> NumberedLines(string path, int? splitCount = null)
        => new FileLineSource<TextLine>(path, splitCount, numbered: true, static (file, number, text) => new TextLine(file, number, text));

    /// <summary>
    /// Reads the matching files as they come and grow, without end (Flink's <c>monitorContinuously</c>): the path is listed
    /// every <paramref name="discoveryInterval"/>, and every whole line a file gains is read once, with its file and line
    /// number. Files must only be appended to. A job on it can idle (<see cref="Api.StreamBuilder.IdleTimeout"/>): it
    /// wakes when a file is added or grows.
    /// </summary>
    /// <param name="path">A file, a directory (its files, not recursive), or a pattern such as <c>/data/*.log</c>; nothing need match yet.</param>
    /// <param name="discoveryInterval">How often the path is listed for new files and new bytes.</param>
    /// <param name="splitCount">How many buckets the files are spread over (each a split); the source's parallelism when null.</param>
    public static ISource<TextLine> Monitor(string path, TimeSpan discoveryInterval, int? splitCount = null)
        => new MonitoredFileSource(path, discoveryInterval, splitCount);
}
