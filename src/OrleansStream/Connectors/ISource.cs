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

    /// <summary>
    /// Creates the reader of one subtask. The splits in <paramref name="context"/> are either fresh from
    /// <see cref="CreateSplits"/> or restored from a checkpoint with the progress recorded in them: the
    /// reader continues each split where the recorded progress says.
    /// </summary>
    ISourceReader<T> CreateReader(SourceReaderContext context);

    /// <summary>Turns this source's splits, with their progress, into bytes for checkpoints and back.</summary>
    ISplitSerializer SplitSerializer { get; }
}

/// <summary>
/// One independently readable part of a source's input, and how far it has been read: a reader's
/// <see cref="ISourceReader{T}.SnapshotSplits"/> returns its splits with their progress, which is what a
/// checkpoint stores and what a restarted (or rescaled) job hands to new readers.
/// </summary>
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

    /// <summary>
    /// The reader's splits with the progress made up to the last record emitted, taken when a checkpoint
    /// barrier passes the source. A reader created from them emits exactly the records after that point.
    /// Splits that are exhausted are still returned (marked as finished) so that a restored job does not
    /// read them again.
    /// </summary>
    IReadOnlyList<SourceSplit> SnapshotSplits();

    /// <summary>Checkpoint <paramref name="checkpointId"/> is durable; e.g. a queue may be acknowledged up to it.</summary>
    ValueTask NotifyCheckpointCompleteAsync(long checkpointId, CancellationToken cancellationToken) => ValueTask.CompletedTask;
}

/// <summary>Encodes a source's splits, progress included, for checkpoint storage.</summary>
public interface ISplitSerializer
{
    byte[] Serialize(SourceSplit split);

    SourceSplit Deserialize(ReadOnlySpan<byte> data);
}

/// <summary>A split serializer for split records made of plain data, as JSON.</summary>
public sealed class JsonSplitSerializer<TSplit> : ISplitSerializer
    where TSplit : SourceSplit
{
    public static readonly JsonSplitSerializer<TSplit> Instance = new();

    // Not the shared default options: a split type of an uploaded job must not stay in a silo-wide cache.
    private static readonly System.Text.Json.JsonSerializerOptions Options = Codecs.PrivateJsonOptions.Create();

    public byte[] Serialize(SourceSplit split)
        => split is TSplit typed
            ? System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(typed, Options)
            : throw new ArgumentException($"Expected a {typeof(TSplit).Name} but got a {split.GetType().Name}.", nameof(split));

    public SourceSplit Deserialize(ReadOnlySpan<byte> data)
        => System.Text.Json.JsonSerializer.Deserialize<TSplit>(data, Options)
            ?? throw new InvalidDataException($"A stored {typeof(TSplit).Name} was empty.");
}

/// <summary>Where a source reader puts its records.</summary>
public interface ISourceOutput<in T>
{
    void Collect(T value);

    void Collect(T value, long timestamp);
}
