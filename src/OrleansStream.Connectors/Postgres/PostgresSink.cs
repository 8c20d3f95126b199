namespace OrleansStream.Connectors.Postgres;

/// <summary>
/// Exactly-once sinks that insert records into PostgreSQL when the checkpoint that covers them completes (like
/// Flink's <c>JdbcSink.exactlyOnceSink</c>, without XA); see <see cref="PostgresSink{T}"/>.
/// </summary>
public static class PostgresSink
{
    /// <summary>Inserts each record as a row of <paramref name="table"/>.</summary>
    /// <param name="connectionString">An Npgsql connection string, e.g. <c>"Host=localhost;Database=app;Username=app;Password=…"</c>.</param>
    /// <param name="table">The table, optionally with its schema: <c>word_counts</c>, <c>public.word_counts</c>, <c>"WordCounts"</c>.</param>
    /// <param name="columns">The columns to fill, in the order of the values <paramref name="toRow"/> returns.</param>
    /// <param name="toRow">The column values of a record (see <see cref="PostgresSink{T}"/> for the types allowed).</param>
    public static PostgresSink<T> ForTable<T>(string connectionString, string table, IReadOnlyList<string> columns, Func<T, object?[]> toRow)
    {
        PostgresIdentifiers.ValidateTable(table);
        ArgumentNullException.ThrowIfNull(columns);
        ArgumentNullException.ThrowIfNull(toRow);
        if (columns.Count == 0)
        {
            throw new ArgumentException($"The PostgreSQL sink for table {table} needs at least one column.", nameof(columns));
        }

        foreach (string column in columns)
        {
            PostgresIdentifiers.ValidateColumn(column);
        }

        string parameters = string.Join(", ", Enumerable.Range(1, columns.Count).Select(i => $"${i}"));
        string statement = $"INSERT INTO {table} ({string.Join(", ", columns)}) VALUES ({parameters})";
        return new PostgresSink<T>(connectionString, $"for table {table}", statement, columns.Count, toRow);
    }

    /// <summary>
    /// Runs <paramref name="statement"/> once per record with the record's values as positional parameters
    /// (<c>$1</c>, <c>$2</c>, …): an INSERT with casts (<c>$3::jsonb</c>), defaults or <c>ON CONFLICT … DO UPDATE</c>.
    /// </summary>
    /// <param name="connectionString">An Npgsql connection string.</param>
    /// <param name="statement">One SQL statement with positional parameters.</param>
    /// <param name="toParameters">The parameter values of a record; every record gives the same number.</param>
    public static PostgresSink<T> ForStatement<T>(string connectionString, string statement, Func<T, object?[]> toParameters)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(statement);
        ArgumentNullException.ThrowIfNull(toParameters);
        return new PostgresSink<T>(connectionString, $"'{statement}'", statement, width: null, toParameters);
    }
}
