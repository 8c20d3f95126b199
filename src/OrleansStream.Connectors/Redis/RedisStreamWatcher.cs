using System.Text.Json;
using OrleansStream.Api.Connectors;
using StackExchange.Redis;

namespace OrleansStream.Connectors.Redis;

/// <summary>
/// Watches the streams of an idle job's Redis source. A mark is the last entry id a reader had read of each of its
/// streams (<see cref="Mark"/>); input has arrived once one of those streams holds a newer entry (XREVRANGE with
/// COUNT 1, all streams of a mark in one round trip; a stream that does not exist has none).
/// </summary>
internal sealed class RedisStreamWatcher(string connectionString) : ISourceInputWatcher
{
    /// <summary>The last entry id read of each stream of <paramref name="splits"/>.</summary>
    public static string Mark(IReadOnlyList<SourceSplit> splits)
        => JsonSerializer.Serialize(splits.OfType<RedisStreamSplit>().ToDictionary(split => split.StreamKey, split => split.LastReadId));

    public async Task<bool> HasInputSinceAsync(string mark, CancellationToken cancellationToken)
    {
        var read = JsonSerializer.Deserialize<Dictionary<string, string>>(mark) ?? throw new FormatException($"'{mark}' is not the mark of a Redis stream reader.");
        if (read.Count == 0)
        {
            return false;
        }

        var database = await RedisConnections.GetDatabaseAsync(connectionString, cancellationToken);
        var batch = database.CreateBatch();
        var newest = read.Select(stream => (LastRead: stream.Value, Newest: batch.StreamRangeAsync(stream.Key, "-", "+", count: 1, messageOrder: Order.Descending))).ToList();
        batch.Execute();
        await Task.WhenAll(newest.Select(s => s.Newest)).WaitAsync(cancellationToken);
        return newest.Any(s => s.Newest.Result.Length > 0
            && RedisStreamId.Parse(s.Newest.Result[0].Id!, "The newest entry id") > RedisStreamId.Parse(s.LastRead, "The last entry id read"));
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
