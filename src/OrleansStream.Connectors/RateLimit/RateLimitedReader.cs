using OrleansStream.Api.Connectors;

namespace OrleansStream.Connectors.RateLimit;

/// <summary>Reads through another reader, asking it for no more records than the rate allows so far.</summary>
internal sealed class RateLimitedReader<T>(ISourceReader<T> reader, double recordsPerSecond, TimeProvider timeProvider) : ISourceReader<T>
{
    private readonly CountingOutput _counter = new();
    private DateTimeOffset? _startedAt;
    private long _emitted;

    public SourceBacklog? Backlog => reader.Backlog;

    public async ValueTask<ReadStatus> ReadAsync(ISourceOutput<T> output, int maxRecords, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxRecords, 1);
        var now = timeProvider.GetUtcNow();
        _startedAt ??= now;
        long budget = Math.Min(maxRecords, RateSchedule.Due(_startedAt.Value, now, recordsPerSecond, _emitted));
        if (budget <= 0)
        {
            return ReadStatus.NothingAvailable;
        }

        _counter.Target = output;
        _counter.Count = 0;
        var status = await reader.ReadAsync(_counter, (int)budget, cancellationToken);
        _emitted += _counter.Count;

        // Held back by the limit rather than by the input: wait for the next poll instead of spinning.
        return status == ReadStatus.MoreAvailable && budget < maxRecords ? ReadStatus.NothingAvailable : status;
    }

    public IReadOnlyList<SourceSplit> SnapshotSplits() => reader.SnapshotSplits();

    public ValueTask NotifyCheckpointCompleteAsync(long checkpointId, CancellationToken cancellationToken)
        => reader.NotifyCheckpointCompleteAsync(checkpointId, cancellationToken);

    public ValueTask DisposeAsync() => reader.DisposeAsync();

    private sealed class CountingOutput : ISourceOutput<T>
    {
        public ISourceOutput<T> Target { get; set; } = null!;

        public long Count { get; set; }

        public void Collect(T value)
        {
            Count++;
            Target.Collect(value);
        }

        public void Collect(T value, long timestamp)
        {
            Count++;
            Target.Collect(value, timestamp);
        }
    }
}
