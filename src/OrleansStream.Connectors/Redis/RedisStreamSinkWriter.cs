using OrleansStream.Api.Connectors;
using OrleansStream.Codecs;
using StackExchange.Redis;

namespace OrleansStream.Connectors.Redis;

/// <summary>
/// Encodes one subtask's entries as they are written, so the mapping's errors surface at the record that caused
/// them and a pre-commit only copies bytes.
/// </summary>
internal sealed class RedisStreamSinkWriter<T>(SinkContext context, string streamKey, Func<T, NameValueEntry[]> toFields)
    : ITransactionalSinkWriter<T>
{
    private readonly PayloadWriter _entries = new();
    private int _count;

    public void Write(T value, long timestamp)
    {
        var fields = toFields(value);
        if (fields is null || fields.Length == 0)
        {
            throw new ArgumentException($"The Redis stream sink '{streamKey}' was given no fields for the record '{value}'; an entry needs at least one.");
        }

        foreach (var field in fields)
        {
            if (field.Name.IsNullOrEmpty)
            {
                throw new ArgumentException($"The Redis stream sink '{streamKey}' was given a field without a name for the record '{value}'.");
            }
        }

        RedisStreamCommittable.WriteEntry(_entries, fields);
        _count++;
    }

    /// <summary>Nothing to flush: entries become visible only when their checkpoint commits.</summary>
    public void Flush()
    {
    }

    public byte[]? PrepareCommit(long checkpointId)
    {
        if (_count == 0)
        {
            return null;
        }

        byte[] committable = RedisStreamCommittable.Encode(context, _count, _entries.WrittenSpan);
        _entries.Reset();
        _count = 0;
        return committable;
    }

    /// <summary>Drops entries not pre-committed: they belong to no checkpoint and will be replayed.</summary>
    public ValueTask DisposeAsync()
    {
        _entries.Reset();
        _count = 0;
        return ValueTask.CompletedTask;
    }
}
