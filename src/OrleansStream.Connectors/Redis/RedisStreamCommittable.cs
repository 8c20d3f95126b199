using OrleansStream.Api.Connectors;
using OrleansStream.Codecs;
using OrleansStream.Connectors.Transactions;
using StackExchange.Redis;

namespace OrleansStream.Connectors.Redis;

/// <summary>
/// The entries one sink subtask staged for one checkpoint, as stored in the checkpoint: a format version, the
/// writer's job and operator (so the commit marker names the transaction's origin even when a later job commits
/// it), then each entry as its field count and length-prefixed field names and values.
/// </summary>
internal sealed class RedisStreamCommittable
{
    private const string Sink = "a Redis stream sink's";

    private RedisStreamCommittable(string jobId, string operatorId, int entryCount, RedisValue[] fieldsAndValues)
    {
        JobId = jobId;
        OperatorId = operatorId;
        EntryCount = entryCount;
        FieldsAndValues = fieldsAndValues;
    }

    public string JobId { get; }

    public string OperatorId { get; }

    public int EntryCount { get; }

    /// <summary>Per entry: its field count, then name and value pairs; the shape the commit script reads.</summary>
    public RedisValue[] FieldsAndValues { get; }

    public static byte[] Encode(SinkContext writer, int entryCount, ReadOnlySpan<byte> entries)
    {
        var payload = CommittableHeader.Begin(writer, entries.Length);
        payload.WriteVarUInt64((ulong)entryCount);
        entries.CopyTo(payload.GetSpan(entries.Length));
        payload.Advance(entries.Length);
        return payload.ToArray();
    }

    /// <summary>Appends one entry to the entries of a transaction.</summary>
    public static void WriteEntry(PayloadWriter entries, NameValueEntry[] fields)
    {
        entries.WriteVarUInt64((ulong)fields.Length);
        foreach (var field in fields)
        {
            entries.WriteBytes((byte[]?)field.Name ?? []);
            entries.WriteBytes((byte[]?)field.Value ?? []);
        }
    }

    public static RedisStreamCommittable Decode(SinkCommittable committable)
    {
        try
        {
            var reader = new PayloadReader(committable.Data);
            var header = CommittableHeader.Read(ref reader, committable, Sink);
            int entryCount = checked((int)reader.ReadVarUInt64());
            var values = new List<RedisValue>(entryCount * 3);
            for (int i = 0; i < entryCount; i++)
            {
                int fieldCount = checked((int)reader.ReadVarUInt64());
                values.Add(fieldCount);
                for (int f = 0; f < fieldCount * 2; f++)
                {
                    values.Add(reader.ReadBytes().ToArray());
                }
            }

            if (!reader.End)
            {
                throw CommittableHeader.Invalid(committable, Sink);
            }

            return new RedisStreamCommittable(header.JobId, header.OperatorId, entryCount, [.. values]);
        }
        catch (Exception ex) when (ex is IndexOutOfRangeException or ArgumentOutOfRangeException or OverflowException)
        {
            throw CommittableHeader.Invalid(committable, Sink, ex);
        }
    }
}
