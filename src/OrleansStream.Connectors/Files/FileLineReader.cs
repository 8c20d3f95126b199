namespace OrleansStream.Connectors;

/// <summary>
/// Reads the file ranges of one subtask, one after the other. Reads are short synchronous reads of a
/// 64 KiB buffer (files are local and cached); the byte offset of the next unread line of every range is
/// kept so that a checkpoint can record <see cref="Offsets"/> and a restarted reader can continue there.
/// </summary>
public sealed class FileLineReader<T> : ISourceReader<T>
{
    private readonly FileRangeCursor[] _cursors;
    private readonly LineFactory<T> _factory;
    private int _current;

    internal FileLineReader(
        IReadOnlyList<SourceSplit> splits, bool numbered, LineFactory<T> factory, IReadOnlyDictionary<string, long>? startOffsets)
    {
        ArgumentNullException.ThrowIfNull(splits);
        _factory = factory;
        _cursors = new FileRangeCursor[splits.Count];
        for (int i = 0; i < splits.Count; i++)
        {
            if (splits[i] is not FileSplit split)
            {
                throw new ArgumentException($"A file source cannot read the split '{splits[i].SplitId}' of type {splits[i].GetType().Name}.", nameof(splits));
            }

            long? resumeAt = startOffsets is not null && startOffsets.TryGetValue(split.SplitId, out long offset) ? offset : null;
            _cursors[i] = new FileRangeCursor(split, numbered, resumeAt);
        }
    }

    /// <summary>A snapshot: split id to the byte offset of the next unread line of that split.</summary>
    public IReadOnlyDictionary<string, long> Offsets
    {
        get
        {
            var offsets = new Dictionary<string, long>(_cursors.Length, StringComparer.Ordinal);
            foreach (var cursor in _cursors)
            {
                offsets[cursor.SplitId] = cursor.Offset;
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

        int emitted = 0;
        while (_current < _cursors.Length)
        {
            if (emitted >= maxRecords)
            {
                return ValueTask.FromResult(ReadStatus.MoreAvailable);
            }

            var cursor = _cursors[_current];
            emitted += cursor.Read(output, _factory, maxRecords - emitted);
            if (!cursor.IsDone)
            {
                // Either the batch is full or the cursor spent its budget before emitting anything more.
                return ValueTask.FromResult(ReadStatus.MoreAvailable);
            }

            _current++;
        }

        return ValueTask.FromResult(ReadStatus.End);
    }

    public ValueTask DisposeAsync()
    {
        foreach (var cursor in _cursors)
        {
            cursor.Dispose();
        }

        return ValueTask.CompletedTask;
    }
}
