namespace OrleansStream.Api.Connectors;

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

    /// <summary>
    /// Creates the reader of one subtask. The splits in <paramref name="context"/> are either fresh from
    /// <see cref="CreateSplits"/> or restored from a checkpoint with the progress recorded in them: the
    /// reader continues each split where the recorded progress says.
    /// </summary>
    ISourceReader<T> CreateReader(SourceReaderContext context);

    /// <summary>Turns this source's splits, with their progress, into bytes for checkpoints and back.</summary>
    ISplitSerializer SplitSerializer { get; }
}
