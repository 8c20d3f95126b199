using System.Globalization;
using System.Text;
using OrleansStream.Api.Connectors;
using StackExchange.Redis;

namespace OrleansStream.Connectors.Redis;

/// <summary>Commits staged entries of a <see cref="RedisStreamSink{T}"/> with one atomic, idempotent script call.</summary>
internal sealed class RedisStreamCommitter(string connectionString, string streamKey, string keyPrefix, TimeSpan? markerTtl, long? maxLength)
    : ISinkCommitter
{
    public async ValueTask CommitAsync(SinkCommittable committable, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(committable);
        cancellationToken.ThrowIfCancellationRequested();
        var transaction = RedisStreamCommittable.Decode(committable);
        var database = await RedisConnections.GetDatabaseAsync(connectionString, cancellationToken);

        RedisKey[] keys = [MarkerKey(transaction, committable), streamKey];
        var values = new RedisValue[2 + transaction.FieldsAndValues.Length];
        values[0] = markerTtl is { } ttl ? (long)Math.Ceiling(ttl.TotalSeconds) : 0;
        values[1] = maxLength is { } max ? max.ToString(CultureInfo.InvariantCulture) : string.Empty;
        transaction.FieldsAndValues.CopyTo(values, 2);
        try
        {
            // A cancelled wait does not stop the script on the server; a later commit of the same transaction adds nothing.
            await database.ScriptEvaluateAsync(RedisCommitScript.Source, keys, values).WaitAsync(cancellationToken);
        }
        catch (RedisServerException ex)
        {
            throw new InvalidOperationException(
                $"Cannot commit checkpoint {committable.CheckpointId} of subtask {committable.Subtask} (attempt {committable.Attempt}) "
                + $"to the Redis stream '{streamKey}': {ex.Message}",
                ex);
        }
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    /// <summary>
    /// <c>{prefix}:committed:{job}:{operator}:{checkpoint}:{subtask}:{attempt}</c>, naming the writer's transaction. Job and
    /// operator ids have ':' and '%' escaped, so that two different pairs of ids never make the same key.
    /// </summary>
    internal string MarkerKey(RedisStreamCommittable transaction, SinkCommittable committable)
        => string.Create(
            CultureInfo.InvariantCulture,
            $"{keyPrefix}:committed:{Escape(transaction.JobId)}:{Escape(transaction.OperatorId)}:{committable.CheckpointId}:{committable.Subtask}:{committable.Attempt}");

    private static string Escape(string id)
    {
        if (id.AsSpan().IndexOfAny(':', '%') < 0)
        {
            return id;
        }

        var escaped = new StringBuilder(id.Length + 8);
        foreach (char c in id)
        {
            escaped.Append(c switch { ':' => "%3A", '%' => "%25", _ => c.ToString() });
        }

        return escaped.ToString();
    }
}
