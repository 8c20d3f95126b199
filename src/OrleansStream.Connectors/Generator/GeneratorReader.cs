using OrleansStream.Api.Connectors;
using OrleansStream.Connectors.RateLimit;

namespace OrleansStream.Connectors.Generator;

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

    internal GeneratorReader(GeneratorSource<T> source, IReadOnlyList<SourceSplit> splits)
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

            split.Validate();
            _all[i] = source.IndexGenerator is { } generator
                ? new IndexGeneratorCursor<T>(split, generator, source.Count)
                : new SequenceGeneratorCursor<T>(split, source.Sequence!, source.Seed, source.Count);
        }

        _active = [.. _all];
    }

    /// <summary>
    /// Rate-limited, the records due by now that have not been emitted: the generator stands for an input that arrives
    /// at that rate, and what is due and not read is its backlog. Otherwise it makes records as fast as they are read,
    /// and only its unfinished splits are known.
    /// </summary>
    public SourceBacklog? Backlog
    {
        get
        {
            long? pending = _active.Count == 0 ? 0 : null;
            if (_active.Count > 0 && _rateLimit is { } rate && _startedAt is { } started)
            {
                pending = Math.Max(0, RateSchedule.Due(started, _timeProvider.GetUtcNow(), rate, _emittedSinceStart));
            }

            return new SourceBacklog(pending, null, _active.Count);
        }
    }

    public IReadOnlyList<SourceSplit> SnapshotSplits()
    {
        var splits = new SourceSplit[_all.Length];
        for (int i = 0; i < _all.Length; i++)
        {
            splits[i] = _all[i].Snapshot();
        }

        return splits;
    }

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
            budget = Math.Min(budget, RateSchedule.Due(_startedAt.Value, now, rate, _emittedSinceStart));
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
