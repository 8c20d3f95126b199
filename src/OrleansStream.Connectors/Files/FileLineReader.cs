using OrleansStream.Api.Connectors;

namespace OrleansStream.Connectors.Files;

/// <summary>
/// Reads the file ranges of one subtask, one after the other. Reads are short synchronous reads of a
/// 64 KiB buffer (files are local and cached); every range keeps the byte offset of its next unread line,
/// which <see cref="SnapshotSplits"/> records so that a restarted reader, on any subtask, continues there.
/// </summary>
public sealed class FileLineReader<T> : ISourceReader<T>
{
    private readonly FileRangeCursor[] _cursors;
    private readonly LineFactory<T> _factory;
    private readonly long _pendingAtStart;
    private long _emitted;
    private int _current;
    private bool _disposed;

    internal FileLineReader(IReadOnlyList<SourceSplit> splits, bool numbered, LineFactory<T> factory)
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

            _cursors[i] = new FileRangeCursor(split, numbered);
        }

        _pendingAtStart = _cursors.Sum(c => c.PendingBytes);
    }

    /// <summary>The bytes left in the ranges, and as many records as lines of the length read so far would make.</summary>
    public SourceBacklog? Backlog
    {
        get
        {
            long pendingBytes = _cursors.Sum(c => c.PendingBytes);
            long readBytes = _pendingAtStart - pendingBytes;
            long? pendingRecords = pendingBytes == 0 ? 0 : _emitted > 0 && readBytes > 0 ? (long)Math.Ceiling(pendingBytes * (double)_emitted / readBytes) : null;
            return new SourceBacklog(pendingRecords, pendingBytes, _cursors.Count(c => !c.IsDone));
        }
    }

    public IReadOnlyList<SourceSplit> SnapshotSplits()
    {
        var splits = new SourceSplit[_cursors.Length];
        for (int i = 0; i < _cursors.Length; i++)
        {
            splits[i] = _cursors[i].Snapshot();
        }

        return splits;
    }

    public ValueTask<ReadStatus> ReadAsync(ISourceOutput<T> output, int maxRecords, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxRecords, 1);
        ObjectDisposedException.ThrowIf(_disposed, this);
        cancellationToken.ThrowIfCancellationRequested();

        int emitted = 0;
        while (_current < _cursors.Length)
        {
            if (emitted >= maxRecords)
            {
                return ValueTask.FromResult(ReadStatus.MoreAvailable);
            }

            var cursor = _cursors[_current];
            int read = cursor.Read(output, _factory, maxRecords - emitted);
            emitted += read;
            _emitted += read;
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
        _disposed = true;
        foreach (var cursor in _cursors)
        {
            cursor.Dispose();
        }

        return ValueTask.CompletedTask;
    }
}
