using OrleansStream.Api.Connectors;

namespace OrleansStream.Connectors.Files;

/// <summary>
/// An exactly-once sink that writes records as UTF-8 text lines into part files of a directory, like Flink's
/// <c>FileSink.forRowFormat</c>; created by <see cref="FileSink.ForRowFormat{T}"/>. The <c>With…</c> options
/// return a new sink and leave this one unchanged.
/// </summary>
/// <remarks>
/// <para>
/// Each subtask writes into a hidden in-progress file, <c>.{prefix}-{job}-{attempt}-{subtask}-{n}{suffix}.inprogress</c>.
/// When a checkpoint barrier reaches the subtask the file is flushed to disk and closed (pre-commit); when the
/// checkpoint completes it is renamed to <c>{prefix}-{job}-{attempt}-{subtask}-{n}{suffix}</c> (commit). So the
/// visible part files hold exactly the records of completed checkpoints, each once, however often the job fails
/// and restarts; a bounded job's last records become visible when the job finishes. Lines appear at checkpoint
/// intervals, not as they are written.
/// </para>
/// <para>
/// Hidden in-progress files of checkpoints that never completed stay behind after a failure (they are never
/// committed); they can be deleted once no job writes the directory. Every sink needs its own directory, or at
/// least its own part prefix, since names do not include the operator. The directory must be reachable at the
/// same path from every silo that runs the sink, as a committer of a restored job may run on another silo.
/// </para>
/// </remarks>
public sealed class RowFormatFileSink<T> : ITransactionalSink<T>, IEarlierOutputCheck
{
    private readonly Func<T, string> _format;
    private readonly PartFileNames _names;

    internal RowFormatFileSink(string directory, Func<T, string>? format)
        : this(directory, format ?? DefaultFormat, new PartFileNames("part", string.Empty))
    {
    }

    private RowFormatFileSink(string directory, Func<T, string> format, PartFileNames names)
    {
        Directory = directory;
        _format = format;
        _names = names;
    }

    /// <summary>The full path of the directory the part files go to.</summary>
    public string Directory { get; }

    /// <summary>The start of every part file name; <c>"part"</c> by default.</summary>
    public string PartPrefix => _names.Prefix;

    /// <summary>The end of every committed part file name, such as <c>".txt"</c>; empty by default.</summary>
    public string PartSuffix => _names.Suffix;

    public int? RequiredParallelism => null;

    /// <summary>Sets the start of the part file names (Flink's <c>OutputFileConfig.withPartPrefix</c>).</summary>
    /// <exception cref="ArgumentException">The prefix is empty, starts with '.', or is not part of a file name.</exception>
    public RowFormatFileSink<T> WithPartPrefix(string prefix) => new(Directory, _format, new PartFileNames(prefix, _names.Suffix));

    /// <summary>Sets the end of the committed part file names, e.g. <c>".txt"</c> (Flink's <c>withPartSuffix</c>).</summary>
    /// <exception cref="ArgumentException">The suffix is not part of a file name.</exception>
    public RowFormatFileSink<T> WithPartSuffix(string suffix) => new(Directory, _format, new PartFileNames(_names.Prefix, suffix));

    public ISinkWriter<T> CreateWriter(SinkContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        System.IO.Directory.CreateDirectory(Directory);
        return new RowFormatFileSinkWriter<T>(Directory, _names, context, _format);
    }

    public ISinkCommitter CreateCommitter(SinkContext context) => PartFileCommitter.Instance;

    public string? DescribeEarlierOutput()
    {
        int count = _names.CommittedFiles(Directory).Count();
        return count == 0 ? null : $"'{Directory}' holds {count:N0} committed part {(count == 1 ? "file" : "files")}";
    }

    private static string DefaultFormat(T value) => value?.ToString() ?? "null";
}
