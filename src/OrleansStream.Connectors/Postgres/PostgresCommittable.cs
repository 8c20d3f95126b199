using OrleansStream.Api.Connectors;
using OrleansStream.Codecs;
using OrleansStream.Connectors.Transactions;

namespace OrleansStream.Connectors.Postgres;

/// <summary>
/// The rows one sink subtask staged for one checkpoint, as stored in the checkpoint: a format version, the
/// writer's job and operator (so the commit log names the transaction's origin even when a later job commits it),
/// the number of values per row, the row count, then the values, each with its type tag.
/// </summary>
internal sealed class PostgresCommittable
{
    private const string Sink = "a PostgreSQL sink's";

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
        var payload = CommittableHeader.Begin(writer, rows.Length);
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
            var header = CommittableHeader.Read(ref reader, committable, Sink);
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

            return reader.End ? new PostgresCommittable(header.JobId, header.OperatorId, rows) : throw CommittableHeader.Invalid(committable, Sink);
        }
        catch (Exception ex) when (ex is IndexOutOfRangeException or ArgumentOutOfRangeException or OverflowException or InvalidDataException)
        {
            throw CommittableHeader.Invalid(committable, Sink, ex);
        }
    }
}
