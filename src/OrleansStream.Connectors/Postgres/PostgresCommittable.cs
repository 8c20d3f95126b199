using OrleansStream.Codecs;

namespace OrleansStream.Connectors;

/// <summary>
/// The rows one sink subtask staged for one checkpoint, as stored in the checkpoint: a format version, the
/// writer's job and operator (so the commit log names the transaction's origin even when a later job commits it),
/// the number of values per row, the row count, then the values, each with its type tag.
/// </summary>
internal sealed class PostgresCommittable
{
    private const byte Version = 1;

    private PostgresCommittable(string jobId, string operatorId, object[][] rows)
    {
        JobId = jobId;
        OperatorId = operatorId;
        Rows = rows;
    }

    public string JobId { get; }

    public string OperatorId { get; }

    /// <summary>Parameter values, row by row; <see cref="DBNull.Value"/> for null.</summary>
    public object[][] Rows { get; }

    public static byte[] Encode(SinkContext writer, int width, int rowCount, ReadOnlySpan<byte> rows)
    {
        var payload = new PayloadWriter(rows.Length + 64);
        payload.WriteByte(Version);
        payload.WriteString(writer.JobId);
        payload.WriteString(writer.OperatorId);
        payload.WriteVarUInt64((ulong)width);
        payload.WriteVarUInt64((ulong)rowCount);
        rows.CopyTo(payload.GetSpan(rows.Length));
        payload.Advance(rows.Length);
        return payload.ToArray();
    }

    public static PostgresCommittable Decode(SinkCommittable committable)
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
            int width = checked((int)reader.ReadVarUInt64());
            int rowCount = checked((int)reader.ReadVarUInt64());
            var rows = new object[rowCount][];
            for (int r = 0; r < rowCount; r++)
            {
                var row = new object[width];
                for (int c = 0; c < width; c++)
                {
                    row[c] = PostgresValueCodec.Read(ref reader);
                }

                rows[r] = row;
            }

            return reader.End ? new PostgresCommittable(jobId, operatorId, rows) : throw Invalid(committable, null);
        }
        catch (Exception ex) when (ex is IndexOutOfRangeException or ArgumentOutOfRangeException or OverflowException or InvalidDataException)
        {
            throw Invalid(committable, ex);
        }
    }

    private static InvalidDataException Invalid(SinkCommittable committable, Exception? inner)
        => new($"The committable of checkpoint {committable.CheckpointId}, subtask {committable.Subtask}, attempt {committable.Attempt} is not a PostgreSQL sink's.", inner);
}
