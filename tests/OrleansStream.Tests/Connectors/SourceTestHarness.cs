using OrleansStream.Api.Connectors;

namespace OrleansStream.Tests.Connectors;

/// <summary>Drives source readers the way the source operator does, without a cluster.</summary>
internal static class SourceTestHarness
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(10);

    /// <summary>Reads every subtask's splits (split i goes to subtask i % parallelism) until each reader ends.</summary>
    public static async Task<List<T>> ReadAll<T>(ISource<T> source, int parallelism)
    {
        using var timeout = new CancellationTokenSource(s_timeout);
        var splits = source.CreateSplits(parallelism);
        var output = new CollectingOutput<T>();
        for (int subtask = 0; subtask < parallelism; subtask++)
        {
            await using var reader = source.CreateReader(new SourceReaderContext(subtask, parallelism, SplitsOf(splits, subtask, parallelism)));
            await DrainAsync(reader, output, timeout.Token);
        }

        return output.Values;
    }

    public static IReadOnlyList<SourceSplit> SplitsOf(IReadOnlyList<SourceSplit> splits, int subtask, int parallelism)
    {
        var mine = new List<SourceSplit>();
        for (int i = subtask; i < splits.Count; i += parallelism)
        {
            mine.Add(splits[i]);
        }

        return mine;
    }

    /// <summary>Reads until the reader reports its end, pausing briefly whenever nothing is available.</summary>
    public static async Task DrainAsync<T>(ISourceReader<T> reader, ISourceOutput<T> output, CancellationToken cancellationToken, int maxRecords = 100)
    {
        try
        {
            while (true)
            {
                var status = await reader.ReadAsync(output, maxRecords, cancellationToken);
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
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"The source did not end within {s_timeout.TotalSeconds} s.");
        }
    }
}
