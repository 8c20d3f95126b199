using OrleansStream.Api.Connectors;
using OrleansStream.Codecs;

namespace OrleansStream.Connectors.Postgres;

/// <summary>
/// Encodes one subtask's rows as they are written, so that a wrong row (count or type of values) fails at the
/// record that produced it, and a pre-commit only copies bytes.
/// </summary>
internal sealed class PostgresSinkWriter<T>(SinkContext context, string target, int? width, Func<T, object?[]> toRow)
    : ITransactionalSinkWriter<T>
{
    private readonly PayloadWriter _rows = new();
    private int _width = width ?? -1;
    private int _count;

    public void Write(T value, long timestamp)
    {
        var row = toRow(value) ?? throw new ArgumentException($"The PostgreSQL sink {target} was given no values for the record '{value}'.");
        if (_width < 0)
        {
            // A statement's parameter count is learnt from its first row; every row of it must match.
            _width = row.Length;
        }

        if (row.Length != _width)
        {
            throw new ArgumentException($"The PostgreSQL sink {target} takes {_width} values per row but was given {row.Length} for the record '{value}'.");
        }

        for (int i = 0; i < row.Length; i++)
        {
            if (!PostgresValueCodec.IsSupported(row[i]))
            {
                throw new ArgumentException(
                    $"The PostgreSQL sink {target} cannot store value {i + 1} of the record '{value}', a {row[i]!.GetType().Name}; "
                    + $"supported: {PostgresValueCodec.SupportedTypes}.");
            }
        }

        foreach (object? item in row)
        {
            PostgresValueCodec.TryWrite(_rows, item);
        }

        _count++;
    }

    /// <summary>Nothing to flush: rows become visible only when their checkpoint commits.</summary>
    public void Flush()
    {
    }

    public byte[]? PrepareCommit(long checkpointId)
    {
        if (_count == 0)
        {
            return null;
        }

        byte[] committable = PostgresCommittable.Encode(context, _width, _count, _rows.WrittenSpan);
        _rows.Reset();
        _count = 0;
        return committable;
    }

    /// <summary>Drops rows not pre-committed: they belong to no checkpoint and will be replayed.</summary>
    public ValueTask DisposeAsync()
    {
        _rows.Reset();
        _count = 0;
        return ValueTask.CompletedTask;
    }
}
