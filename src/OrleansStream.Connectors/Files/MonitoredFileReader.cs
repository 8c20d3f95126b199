using System.Buffers;
using System.Diagnostics;
using System.Text;
using OrleansStream.Api.Connectors;

namespace OrleansStream.Connectors.Files;

/// <summary>
/// Reads the buckets of a monitored path for one subtask: it lists the files under the path every discovery interval,
/// and reads the complete lines each of its files has beyond the offset recorded for it. A line is emitted only once its
/// line break is there, so a line still being written is read when it is whole; the offsets in
/// <see cref="SnapshotSplits"/> are those after the last line emitted, so that a restored reader goes on exactly there.
/// </summary>
internal sealed class MonitoredFileReader : ISourceReader<TextLine>
{
    /// <summary>The longest line: a longer one fails the reader, naming the file and line, rather than growing a buffer without end.</summary>
    private const int MaxLineBytes = Utf8LineBuffer.MaxLineBytes;

    /// <summary>What one read takes of a file: a full chunk without a line break is read again up to <see cref="MaxLineBytes"/>.</summary>
    private const int ChunkBytes = 64 << 10;

    private readonly Bucket[] _buckets;
    private readonly TimeSpan _discoveryInterval;
    private long? _discoveredAt;
    private bool _disposed;

    public MonitoredFileReader(IReadOnlyList<SourceSplit> splits, TimeSpan discoveryInterval)
    {
        ArgumentNullException.ThrowIfNull(splits);
        _discoveryInterval = discoveryInterval;
        _buckets = splits.Select(split => split is MonitoredFileSplit monitored
            ? new Bucket(monitored)
            : throw new ArgumentException($"A monitored file source cannot read the split '{split.SplitId}' of type {split.GetType().Name}.", nameof(splits))).ToArray();
    }

    /// <summary>The bytes the files had beyond their offsets when they were last listed.</summary>
    public SourceBacklog? Backlog => new(null, _buckets.Sum(b => b.PendingBytes), _buckets.Length);

    public IReadOnlyList<SourceSplit> SnapshotSplits() => _buckets.Select(SourceSplit (b) => b.Snapshot()).ToList();

    public ValueTask<ReadStatus> ReadAsync(ISourceOutput<TextLine> output, int maxRecords, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxRecords, 1);
        ObjectDisposedException.ThrowIf(_disposed, this);
        cancellationToken.ThrowIfCancellationRequested();

        if (_buckets.Length > 0 && (_discoveredAt is not { } at || Stopwatch.GetElapsedTime(at) >= _discoveryInterval))
        {
            Discover();
        }

        int emitted = 0;
        foreach (var bucket in _buckets)
        {
            emitted += bucket.Read(output, maxRecords - emitted);
            if (emitted >= maxRecords)
            {
                return ValueTask.FromResult(ReadStatus.MoreAvailable);
            }
        }

        // Never the end: more may be written at any time.
        return ValueTask.FromResult(ReadStatus.NothingAvailable);
    }

    public ValueTask DisposeAsync()
    {
        _disposed = true;
        return ValueTask.CompletedTask;
    }

    private void Discover()
    {
        _discoveredAt = Stopwatch.GetTimestamp();
        var files = MonitoredFiles.List(_buckets[0].Split.Path);
        foreach (var bucket in _buckets)
        {
            bucket.Discovered(files);
        }
    }

    /// <summary>One split's files and their progress.</summary>
    private sealed class Bucket
    {
        private readonly Dictionary<string, FileProgress> _progress;
        private List<(string Path, long Length)> _files = [];

        public Bucket(MonitoredFileSplit split)
        {
            split.Validate();
            Split = split;
            _progress = new Dictionary<string, FileProgress>(split.Files, StringComparer.Ordinal);
        }

        public MonitoredFileSplit Split { get; }

        public long PendingBytes => _files.Sum(f => Math.Max(0, f.Length - Progress(f.Path).Offset));

        public MonitoredFileSplit Snapshot() => Split with { Files = new Dictionary<string, FileProgress>(_progress, StringComparer.Ordinal) };

        public void Discovered(IReadOnlyList<(string Path, long Length)> files) => _files = files.Where(f => Split.Owns(f.Path)).ToList();

        /// <summary>Emits at most <paramref name="max"/> whole lines from the files' new bytes; returns how many.</summary>
        public int Read(ISourceOutput<TextLine> output, int max)
        {
            int emitted = 0;
            for (int i = 0; i < _files.Count && emitted < max; i++)
            {
                var (path, length) = _files[i];
                var progress = Progress(path);
                if (length > progress.Offset)
                {
                    var (read, now) = ReadLines(path, progress, output, max - emitted);
                    emitted += read;
                    _progress[path] = now;
                    if (now.Offset == progress.Offset && read == 0)
                    {
                        // The file's new bytes hold no whole line yet: known again at the next listing.
                        _files[i] = (path, now.Offset);
                    }
                }
            }

            return emitted;
        }

        private FileProgress Progress(string path) => _progress.GetValueOrDefault(path) ?? new FileProgress(0, 0);

        private static (int Read, FileProgress Progress) ReadLines(string path, FileProgress from, ISourceOutput<TextLine> output, int max)
        {
            byte[] buffer = ArrayPool<byte>.Shared.Rent(MaxLineBytes + 1);
            try
            {
                using var stream = MonitoredFiles.OpenShared(path);
                long offset = from.Offset, lines = from.Lines;
                int emitted = 0;
                int size = ChunkBytes;
                while (emitted < max)
                {
                    stream.Position = offset;
                    int filled = stream.ReadAtLeast(buffer.AsSpan(0, size), size, throwOnEndOfStream: false);
                    var data = buffer.AsSpan(0, filled);
                    int consumed = 0;
                    while (emitted < max && data[consumed..].IndexOf((byte)'\n') is var end and >= 0)
                    {
                        var line = data.Slice(consumed, end);
                        if (offset == 0 && consumed == 0 && line.StartsWith("\uFEFF"u8))
                        {
                            line = line[3..];
                        }

                        if (line.EndsWith("\r"u8))
                        {
                            line = line[..^1];
                        }

                        output.Collect(new TextLine(path, ++lines, Encoding.UTF8.GetString(line)));
                        emitted++;
                        consumed += end + 1;
                    }

                    if (consumed == 0)
                    {
                        if (filled == size && size == ChunkBytes)
                        {
                            // A full chunk without a line break: a long line, read again up to the longest there may be.
                            size = MaxLineBytes + 1;
                            continue;
                        }

                        // No whole line in what is there: wait for its line break, unless it is already too long to be one.
                        if (filled > MaxLineBytes)
                        {
                            throw LineTooLongException.Of($"Line {lines + 1}", $"'{path}'");
                        }

                        break;
                    }

                    offset += consumed;
                    size = ChunkBytes;
                }

                return (emitted, new FileProgress(offset, lines));
            }
            catch (FileNotFoundException)
            {
                // Deleted since it was listed: what was read of it stays read.
                return (0, from);
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
    }
}
