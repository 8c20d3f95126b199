namespace OrleansStream.Connectors;

/// <summary>
/// A source of records, divided into splits (files, byte ranges, partitions) that are spread over the
/// source's parallel subtasks. Like Flink's FLIP-27 sources, reading is pull-based and non-blocking.
/// </summary>
public interface ISource<T>
{
    /// <summary>True when the input ends; the job then finishes by itself.</summary>
    bool IsBounded { get; }

    /// <summary>The most subtasks this source can use, or null for no limit (a socket has one).</summary>
    int? MaxParallelism { get; }

    /// <summary>Divides the input into splits; must return the same splits for the same parallelism.</summary>
    IReadOnlyList<SourceSplit> CreateSplits(int parallelism);

    ISourceReader<T> CreateReader(SourceReaderContext context);
}

/// <summary>One independently readable part of a source's input.</summary>
public abstract record SourceSplit(string SplitId);

/// <summary>What a source subtask knows when it starts reading.</summary>
public sealed record SourceReaderContext(int SubtaskIndex, int Parallelism, IReadOnlyList<SourceSplit> Splits);

/// <summary>What a read slice found.</summary>
public enum ReadStatus
{
    /// <summary>More records are ready now; read again soon.</summary>
    MoreAvailable,

    /// <summary>Nothing is ready now; read again after a short pause.</summary>
    NothingAvailable,

    /// <summary>All assigned splits are exhausted.</summary>
    End,
}

/// <summary>Reads the splits assigned to one source subtask.</summary>
public interface ISourceReader<T> : IAsyncDisposable
{
    /// <summary>Emits at most <paramref name="maxRecords"/> records; never blocks waiting for input.</summary>
    ValueTask<ReadStatus> ReadAsync(ISourceOutput<T> output, int maxRecords, CancellationToken cancellationToken);
}

/// <summary>Where a source reader puts its records.</summary>
public interface ISourceOutput<in T>
{
    void Collect(T value);

    void Collect(T value, long timestamp);
}
