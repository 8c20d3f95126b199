namespace OrleansStream.Connectors;

/// <summary>
/// Reads the generator splits of one subtask round-robin, one record at a time, so that unbounded splits
/// all make progress and a split held back by pacing does not stall the others.
/// </summary>
public sealed class GeneratorReader<T> : ISourceReader<T>
{
    private readonly List<GeneratorCursor<T>> _active;
    private readonly GeneratorCursor<T>[] _all;
    private readonly double? _rateLimit;
    private readonly Func<T, long>? _pacing;
    private readonly TimeProvider _timeProvider;
    private DateTimeOffset? _startedAt;
    private long _emittedSinceStart;
    private int _next;

    internal GeneratorReader(GeneratorSource<T> source, IReadOnlyList<SourceSplit> splits, IReadOnlyDictionary<string, long>? startOffsets)
    {
        ArgumentNullException.ThrowIfNull(splits);
        _rateLimit = source.RateLimit;
        _pacing = source.Pacing;
        _timeProvider = source.TimeProvider;
        _all = new GeneratorCursor<T>[splits.Count];
        for (int i = 0; i < splits.Count; i++)
        {
            if (splits[i] is not GeneratorSplit split)
            {
                throw new ArgumentException($"A generator source cannot read the split '{splits[i].SplitId}' of type {splits[i].GetType().Name}.", nameof(splits));
            }

            long emitted = startOffsets is not null && startOffsets.TryGetValue(split.SplitId, out long offset) ? offset : 0;
            ArgumentOutOfRangeException.ThrowIfNegative(emitted, nameof(startOffsets));
            _all[i] = source.IndexGenerator is { } generator
                ? new IndexGeneratorCursor<T>(split, generator, source.Count, emitted)
                : new SequenceGeneratorCursor<T>(split, source.Sequence!, source.Seed, source.Count, emitted);
        }

        _active = [.. _all];
    }

    /// <summary>A snapshot: split id to the number of records already emitted from that split.</summary>
    public IReadOnlyDictionary<string, long> Offsets
    {
        get
        {
            var offsets = new Dictionary<string, long>(_all.Length, StringComparer.Ordinal);
            foreach (var cursor in _all)
            {
                offsets[cursor.SplitId] = cursor.Emitted;
            }

            return offsets;
        }
    }

    // Replaced by the connectors' checkpoint support (issue 3): splits will carry their progress.
    public IReadOnlyList<SourceSplit> SnapshotSplits() => throw new NotSupportedException("Checkpointing this source is not supported yet.");

    public ValueTask<ReadStatus> ReadAsync(ISourceOutput<T> output, int maxRecords, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxRecords, 1);
        cancellationToken.ThrowIfCancellationRequested();
        if (_active.Count == 0)
        {
            return ValueTask.FromResult(ReadStatus.End);
        }

        var now = _timeProvider.GetUtcNow();
        long budget = maxRecords;
        if (_rateLimit is { } rate)
        {
            _startedAt ??= now;
            double elapsedSeconds = Math.Max(0, (now - _startedAt.Value).TotalSeconds);
            budget = Math.Min(budget, (long)Math.Floor(elapsedSeconds * rate) + 1 - _emittedSinceStart);
        }

        long nowMillis = now.ToUnixTimeMilliseconds();
        int emitted = 0;
        int heldBack = 0;
        while (emitted < budget && heldBack < _active.Count)
        {
            var cursor = _active[_next];
            if (!cursor.TryPeek(out var value))
            {
                cursor.Dispose();
                _active.RemoveAt(_next);
                if (_next >= _active.Count)
                {
                    _next = 0;
                }

                continue;
            }

            if (_pacing is not null && _pacing(value) > nowMillis)
            {
                heldBack++;
            }
            else
            {
                output.Collect(value);
                cursor.Advance();
                emitted++;
                heldBack = 0;
            }

            _next = (_next + 1) % _active.Count;
        }

        _emittedSinceStart += emitted;
        var status = _active.Count == 0 ? ReadStatus.End
            : emitted == maxRecords ? ReadStatus.MoreAvailable
            : ReadStatus.NothingAvailable;
        return ValueTask.FromResult(status);
    }

    public ValueTask DisposeAsync()
    {
        foreach (var cursor in _all)
        {
            cursor.Dispose();
        }

        _active.Clear();
        return ValueTask.CompletedTask;
    }
}
