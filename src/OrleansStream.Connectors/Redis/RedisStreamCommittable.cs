using OrleansStream.Codecs;
using StackExchange.Redis;

namespace OrleansStream.Connectors;

/// <summary>
/// The entries one sink subtask staged for one checkpoint, as stored in the checkpoint: a format version, the
/// writer's job and operator (so the commit marker names the transaction's origin even when a later job commits
/// it), then each entry as its field count and length-prefixed field names and values.
/// </summary>
internal sealed class RedisStreamCommittable
{
    private const byte Version = 1;

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
        var payload = new PayloadWriter(entries.Length + 64);
        payload.WriteByte(Version);
        payload.WriteString(writer.JobId);
        payload.WriteString(writer.OperatorId);
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
            if (reader.ReadByte() != Version)
            {
                throw Invalid(committable, null);
            }

            string jobId = reader.ReadString() ?? throw Invalid(committable, null);
            string operatorId = reader.ReadString() ?? throw Invalid(committable, null);
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
                throw Invalid(committable, null);
            }

            return new RedisStreamCommittable(jobId, operatorId, entryCount, [.. values]);
        }
        catch (Exception ex) when (ex is IndexOutOfRangeException or ArgumentOutOfRangeException or OverflowException)
        {
            throw Invalid(committable, ex);
        }
    }

    private static InvalidDataException Invalid(SinkCommittable committable, Exception? inner)
        => new($"The committable of checkpoint {committable.CheckpointId}, subtask {committable.Subtask}, attempt {committable.Attempt} is not a Redis stream sink's.", inner);
}
