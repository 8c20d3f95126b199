using OrleansStream.Api.Connectors;

namespace OrleansStream.Connectors.Files;

/// <summary>
/// Decides the splits of a file source: a split per file when there are enough files, otherwise
/// files are cut into byte ranges of roughly equal size so that every subtask gets work.
/// </summary>
internal static class FileSplitPlanner
{
    /// <summary>Below this a range costs more in opening and skipping than it gains in parallelism.</summary>
    public const long MinRangeSize = 1L << 20;

    public static IReadOnlyList<SourceSplit> Plan(string path, int targetSplits)
    {
        var files = FilePathResolver.Resolve(path);
        var lengths = new long[files.Count];
        long total = 0;
        for (int i = 0; i < files.Count; i++)
        {
            lengths[i] = new FileInfo(files[i]).Length;
            total += lengths[i];
        }

        var splits = new List<SourceSplit>();
        if (files.Count >= targetSplits)
        {
            for (int i = 0; i < files.Count; i++)
            {
                splits.Add(FileSplit.Create(files[i], 0, lengths[i]));
            }

            return splits;
        }

        long rangeSize = Math.Max(MinRangeSize, CeilDiv(total, targetSplits));
        for (int i = 0; i < files.Count; i++)
        {
            long length = lengths[i];
            long pieces = Math.Clamp(CeilDiv(length, rangeSize), 1, Math.Max(1, length / MinRangeSize));
            for (long k = 0; k < pieces; k++)
            {
                splits.Add(FileSplit.Create(files[i], Boundary(length, k, pieces), Boundary(length, k + 1, pieces)));
            }
        }

        return splits;
    }

    private static long CeilDiv(long value, long divisor) => value == 0 ? 0 : ((value - 1) / divisor) + 1;

    private static long Boundary(long length, long index, long pieces) => (long)((Int128)length * index / pieces);
}
