using OrleansStream.Api.Connectors;

namespace OrleansStream.Connectors.RateLimit;

/// <summary>
/// Any source with each subtask held to a number of records per second (Flink's rate-limited source
/// readers): to replay recorded input at a steady pace, or to spread a small input over enough time
/// for checkpoints to happen while it is read. The limit only delays records, so replay stays exact.
/// </summary>
public sealed class RateLimitedSource<T> : ISource<T>, IWatchableSource
{
    private readonly ISource<T> _source;
    private readonly TimeProvider _timeProvider;

    /// <param name="source">The source to read.</param>
    /// <param name="recordsPerSecondPerSubtask">
    /// The most records per second each subtask emits (token bucket: after t seconds of reading a subtask
    /// has emitted at most t * rate + 1 records).
    /// </param>
    /// <param name="timeProvider">The clock; tests pass a fake one.</param>
    public RateLimitedSource(ISource<T> source, double recordsPerSecondPerSubtask, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (!double.IsFinite(recordsPerSecondPerSubtask) || recordsPerSecondPerSubtask <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(recordsPerSecondPerSubtask), recordsPerSecondPerSubtask, "The rate must be a positive number.");
        }

        _source = source;
        RecordsPerSecondPerSubtask = recordsPerSecondPerSubtask;
        _timeProvider = timeProvider ?? TimeProvider.System;
    }

    public double RecordsPerSecondPerSubtask { get; }

    public bool IsBounded => _source.IsBounded;

    public int? MaxParallelism => _source.MaxParallelism;

    public ISplitSerializer SplitSerializer => _source.SplitSerializer;

    public IReadOnlyList<SourceSplit> CreateSplits(int parallelism) => _source.CreateSplits(parallelism);

    public ISourceReader<T> CreateReader(SourceReaderContext context)
        => new RateLimitedReader<T>(_source.CreateReader(context), RecordsPerSecondPerSubtask, _timeProvider);

    /// <summary>Watchable when the source it limits is: the limit changes when records are read, not what arrives.</summary>
    public bool CanWatchInput => _source is IWatchableSource { CanWatchInput: true };

    public string MarkOf(IReadOnlyList<SourceSplit> splits) => Watchable.MarkOf(splits);

    public ISourceInputWatcher CreateInputWatcher() => Watchable.CreateInputWatcher();

    private IWatchableSource Watchable => _source as IWatchableSource ?? throw new NotSupportedException($"The source {_source} cannot be watched for input.");
}
