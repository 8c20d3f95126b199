using OrleansStream.Api.Connectors;

namespace OrleansStream.Tests.Connectors;

/// <summary>
/// Reads a source the way a job with checkpoints and failures does: in each phase every subtask reads a few
/// records, its splits are snapshotted (the checkpoint), it reads on a little (output that the failure loses),
/// and the next phase restores the serialized snapshots round-robin over a possibly different parallelism.
/// </summary>
internal static class CheckpointedRead
{
    /// <summary>Records read after the snapshot, which a failure discards and the restored readers must emit again.</summary>
    private const int LostAfterSnapshot = 7;

    /// <summary>
    /// Runs one phase per entry of <paramref name="parallelisms"/>; the last phase reads to the end.
    /// Returns the records that count (up to each snapshot, then the last phase's) and the final splits.
    /// </summary>
    public static async Task<(List<T> Records, List<SourceSplit> FinalSplits)> RunAsync<T>(
        ISource<T> source, IReadOnlyList<int> parallelisms, int recordsPerReaderPerPhase)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var splits = source.CreateSplits(parallelisms[0]);
        var splitIds = splits.Select(s => s.SplitId).Order(StringComparer.Ordinal).ToList();
        var kept = new List<T>();
        for (int phase = 0; phase < parallelisms.Count; phase++)
        {
            int parallelism = parallelisms[phase];
            bool last = phase == parallelisms.Count - 1;
            var restored = new List<SourceSplit>();
            for (int subtask = 0; subtask < parallelism; subtask++)
            {
                var context = new SourceReaderContext(subtask, parallelism, SourceTestHarness.SplitsOf(splits, subtask, parallelism));
                await using var reader = source.CreateReader(context);
                var output = new CollectingOutput<T>();
                if (last)
                {
                    await SourceTestHarness.DrainAsync(reader, output, timeout.Token);
                }
                else
                {
                    await ReadAtMostAsync(reader, output, recordsPerReaderPerPhase, timeout.Token);
                }

                restored.AddRange(reader.SnapshotSplits().Select(split => RoundTrip(source, split)));
                kept.AddRange(output.Values);
                if (!last)
                {
                    await ReadAtMostAsync(reader, new CollectingOutput<T>(), LostAfterSnapshot, timeout.Token);
                }
            }

            // A snapshot returns every split it was given, finished ones included.
            Assert.Equal(splitIds, restored.Select(s => s.SplitId).Order(StringComparer.Ordinal));
            splits = restored;
        }

        return (kept, splits.ToList());
    }

    public static SourceSplit RoundTrip<T>(ISource<T> source, SourceSplit split)
        => source.SplitSerializer.Deserialize(source.SplitSerializer.Serialize(split));

    /// <summary>Reads until <paramref name="count"/> records arrived or the reader ended.</summary>
    public static async Task ReadAtMostAsync<T>(ISourceReader<T> reader, CollectingOutput<T> output, int count, CancellationToken cancellationToken)
    {
        int target = output.Values.Count + count;
        while (output.Values.Count < target)
        {
            var status = await reader.ReadAsync(output, target - output.Values.Count, cancellationToken);
            if (status == ReadStatus.End)
            {
                return;
            }

            if (status == ReadStatus.NothingAvailable)
            {
                await Task.Delay(1, cancellationToken);
            }
        }
    }
}
