using OrleansStream.Api.Connectors;

namespace OrleansStream.Connectors.Files;

/// <summary>
/// One bucket of a monitored path (<see cref="FileSource.Monitor"/>): the files whose full path hashes to it, and how
/// far each has been read. Files come and grow while the job runs, so a split is a bucket of them rather than a file;
/// the buckets are fixed for the job's life, and move between subtasks as any split does.
/// </summary>
/// <param name="SplitId">A stable id, <c>"{Path}#{Bucket}/{Buckets}"</c>.</param>
/// <param name="Path">The monitored file, directory or pattern.</param>
/// <param name="Bucket">This bucket, from 0.</param>
/// <param name="Buckets">How many buckets the files are spread over.</param>
/// <param name="Files">Per file of the bucket read so far (full path): the offset after its last emitted line, and that line's number.</param>
public sealed record MonitoredFileSplit(string SplitId, string Path, int Bucket, int Buckets, IReadOnlyDictionary<string, FileProgress> Files)
    : SourceSplit(SplitId)
{
    internal static MonitoredFileSplit Create(string path, int bucket, int buckets) => new($"{path}#{bucket}/{buckets}", path, bucket, buckets, new Dictionary<string, FileProgress>());

    /// <summary>Whether <paramref name="file"/> (a full path) belongs to this bucket: by a hash that is the same on every silo.</summary>
    internal bool Owns(string file) => (System.IO.Hashing.XxHash32.HashToUInt32(System.Text.Encoding.UTF8.GetBytes(file)) % (uint)Buckets) == Bucket;

    /// <summary>Throws when the recorded progress cannot be right, e.g. a corrupted checkpoint.</summary>
    internal void Validate()
    {
        if (Buckets < 1 || Bucket < 0 || Bucket >= Buckets)
        {
            throw new ArgumentException($"The monitored file split '{SplitId}' has bucket {Bucket} of {Buckets}.");
        }

        if (Files.FirstOrDefault(f => f.Value.Offset < 0 || f.Value.Lines < 0) is { Key: not null } bad)
        {
            throw new ArgumentException($"The monitored file split '{SplitId}' records offset {bad.Value.Offset} and {bad.Value.Lines} lines for '{bad.Key}'.");
        }
    }
}

/// <summary>How far one file has been read: the byte offset after the last line emitted, and how many lines that is.</summary>
public sealed record FileProgress(long Offset, long Lines);
