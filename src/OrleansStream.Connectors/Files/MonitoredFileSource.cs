using System.Buffers;
using System.Text.Json;
using OrleansStream.Api.Connectors;

namespace OrleansStream.Connectors.Files;

/// <summary>
/// The unbounded file source behind <see cref="FileSource.Monitor"/> (Flink's FileSource with <c>monitorContinuously</c>):
/// new files under the path and lines appended to them are read as they come. Files are spread over a fixed number of
/// buckets by a hash of their full path; each bucket is a split. Files must only be appended to: a file rewritten in
/// place is not read again.
/// </summary>
internal sealed class MonitoredFileSource : ISource<TextLine>, IWatchableSource
{
    private readonly string _path;
    private readonly int? _splitCount;
    private readonly TimeSpan _discoveryInterval;

    public MonitoredFileSource(string path, TimeSpan discoveryInterval, int? splitCount)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(discoveryInterval, TimeSpan.Zero);
        if (splitCount is { } count)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(count, 1, nameof(splitCount));
        }

        _path = Path.GetFullPath(path);
        _discoveryInterval = discoveryInterval;
        _splitCount = splitCount;
    }

    public bool IsBounded => false;

    public int? MaxParallelism => null;

    public ISplitSerializer SplitSerializer => JsonSplitSerializer<MonitoredFileSplit>.Instance;

    public IReadOnlyList<SourceSplit> CreateSplits(int parallelism)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(parallelism, 1);
        int buckets = _splitCount ?? parallelism;
        return Enumerable.Range(0, buckets).Select(SourceSplit (bucket) => MonitoredFileSplit.Create(_path, bucket, buckets)).ToList();
    }

    public ISourceReader<TextLine> CreateReader(SourceReaderContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return new MonitoredFileReader(context.Splits, _discoveryInterval);
    }

    /// <summary>The buckets of <paramref name="splits"/> and the offsets read of their files, for a job that idles on this source.</summary>
    public string MarkOf(IReadOnlyList<SourceSplit> splits)
    {
        var buckets = splits.OfType<MonitoredFileSplit>().ToList();
        return JsonSerializer.Serialize(new ReadMark(
            buckets.Select(b => new[] { b.Bucket, b.Buckets }).ToList(),
            buckets.SelectMany(b => b.Files).ToDictionary(f => f.Key, f => f.Value.Offset)));
    }

    /// <summary>Watches the path's files for whole lines beyond the offsets read, for a job that idles on this source.</summary>
    public ISourceInputWatcher CreateInputWatcher() => new Watcher(_path);

    public override string ToString() => $"files under {_path}, monitored every {_discoveryInterval.TotalSeconds:0.###} s";

    /// <summary>What a reader had read: its buckets (bucket, of how many) and the offset after the last line it emitted of each file.</summary>
    private sealed record ReadMark(List<int[]> Buckets, Dictionary<string, long> Offsets);

    /// <summary>Input has arrived once a file of the mark's buckets has a whole line beyond the offset read (0 for a file not read yet).</summary>
    private sealed class Watcher(string path) : ISourceInputWatcher
    {
        /// <summary>Bytes beyond the offset searched for a line break; more than this pending counts as input anyway.</summary>
        private const int LookAhead = 64 << 10;

        public Task<bool> HasInputSinceAsync(string mark, CancellationToken cancellationToken)
        {
            var read = JsonSerializer.Deserialize<ReadMark>(mark) ?? throw new FormatException($"'{mark}' is not the mark of a monitored file reader.");
            var buckets = read.Buckets.Select(b => MonitoredFileSplit.Create(path, b[0], b[1])).ToList();
            return Task.FromResult(MonitoredFiles.List(path).Any(file =>
                buckets.Any(bucket => bucket.Owns(file.Path)) && HasWholeLine(file.Path, read.Offsets.GetValueOrDefault(file.Path), file.Length)));
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;

        private static bool HasWholeLine(string file, long offset, long length)
        {
            if (length - offset > LookAhead)
            {
                return true;
            }

            if (length <= offset)
            {
                return false;
            }

            try
            {
                using var stream = MonitoredFiles.OpenShared(file);
                stream.Position = offset;
                int pending = (int)(length - offset);
                byte[] buffer = ArrayPool<byte>.Shared.Rent(pending);
                try
                {
                    int filled = stream.ReadAtLeast(buffer.AsSpan(0, pending), pending, throwOnEndOfStream: false);
                    return buffer.AsSpan(0, filled).Contains((byte)'\n');
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                }
            }
            catch (FileNotFoundException)
            {
                return false;
            }
        }
    }
}

/// <summary>The files a monitored path matches now, with their lengths, and how they are opened.</summary>
internal static class MonitoredFiles
{
    /// <summary>Opens a file to read while others append to it, rename it or delete it.</summary>
    public static FileStream OpenShared(string path)
        => new(path, new FileStreamOptions { Mode = FileMode.Open, Access = FileAccess.Read, Share = FileShare.ReadWrite | FileShare.Delete });

    public static IReadOnlyList<(string Path, long Length)> List(string path)
    {
        var files = new List<(string, long)>();
        foreach (string file in FilePathResolver.Matching(path))
        {
            try
            {
                files.Add((file, new FileInfo(file).Length));
            }
            catch (FileNotFoundException)
            {
                // Gone since it was listed.
            }
        }

        return files;
    }
}
