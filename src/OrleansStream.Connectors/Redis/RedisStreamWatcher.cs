using System.Text.Json;
using OrleansStream.Api.Connectors;
using StackExchange.Redis;

namespace OrleansStream.Connectors.Redis;

/// <summary>
/// Watches the streams of an idle job's Redis source: the mark is each stream's newest entry id (XREVRANGE with
/// COUNT 1, all streams in one round trip; a stream that does not exist yet is at <c>0-0</c>), and input has arrived
/// once any stream holds an entry after its mark. Entries deleted or trimmed meanwhile are not input.
/// </summary>
internal sealed class RedisStreamWatcher(string connectionString, IReadOnlyList<string> streamKeys) : ISourceInputWatcher
{
    public async Task<string> MarkAsync(CancellationToken cancellationToken)
    {
        var newest = await NewestAsync(cancellationToken);
        return JsonSerializer.Serialize(streamKeys.Zip(newest).ToDictionary(p => p.First, p => p.Second.ToString()));
    }

    public async Task<bool> HasInputSinceAsync(string mark, CancellationToken cancellationToken)
    {
        var marked = JsonSerializer.Deserialize<Dictionary<string, string>>(mark)
            ?? throw new FormatException($"'{mark}' is not the mark of a Redis stream watcher.");
        var newest = await NewestAsync(cancellationToken);
        for (int i = 0; i < streamKeys.Count; i++)
        {
            // A stream the mark does not know (the job's source changed) counts from its start.
            var since = marked.TryGetValue(streamKeys[i], out string? id) ? RedisStreamId.Parse(id, "The marked entry id") : RedisStreamId.Zero;
            if (newest[i] > since)
            {
                return true;
            }
        }

        return false;
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private async Task<RedisStreamId[]> NewestAsync(CancellationToken cancellationToken)
    {
        var database = await RedisConnections.GetDatabaseAsync(connectionString, cancellationToken);
        var batch = database.CreateBatch();
        var reads = streamKeys.Select(key => batch.StreamRangeAsync(key, "-", "+", count: 1, messageOrder: Order.Descending)).ToList();
        batch.Execute();
        var entries = await Task.WhenAll(reads).WaitAsync(cancellationToken);
        return entries.Select(e => e.Length == 0 ? RedisStreamId.Zero : RedisStreamId.Parse(e[0].Id!, "The newest entry id")).ToArray();
    }
}
