using OrleansStream.Api.Connectors;

namespace OrleansStream.Connectors.Files;

/// <summary>Builds a record from a file path, a 1-based line number and the line's text.</summary>
internal delegate T LineFactory<out T>(string path, long lineNumber, string text);

/// <summary>
/// The file source behind <see cref="FileSource"/>; one type serves plain and numbered lines so that the
/// split planning and the reading stay in one place.
/// </summary>
internal sealed class FileLineSource<T> : ISource<T>
{
    private readonly string _path;
    private readonly int? _splitCount;
    private readonly bool _numbered;
    private readonly LineFactory<T> _factory;

    public FileLineSource(string path, int? splitCount, bool numbered, LineFactory<T> factory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (splitCount is { } count)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(count, 1, nameof(splitCount));
        }

        _path = path;
        _splitCount = splitCount;
        _numbered = numbered;
        _factory = factory;
    }

    public bool IsBounded => true;

    public ISplitSerializer SplitSerializer => JsonSplitSerializer<FileSplit>.Instance;

    public int? MaxParallelism => null;

    public IReadOnlyList<SourceSplit> CreateSplits(int parallelism)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(parallelism, 1);
        return FileSplitPlanner.Plan(_path, _splitCount ?? parallelism);
    }

    /// <summary>Creates a reader that continues each split from the position recorded in it.</summary>
    public ISourceReader<T> CreateReader(SourceReaderContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return new FileLineReader<T>(context.Splits, _numbered, _factory);
    }
}
