namespace OrleansStream.Runtime.Storage;

/// <summary>
/// Prepares a database for Orleans' ADO.NET providers with OrleansStream's own SQL scripts (the
/// Orleans packages ship none). Silos configured with the <c>AddOrleansStream…Storage</c>,
/// <c>…Reminders</c> and <c>…Clustering</c> extensions do this themselves at start-up; call it directly
/// to prepare a database without a silo.
/// </summary>
/// <example>
/// <code>
/// await SqlSchema.ApplyAsync(SqlDialect.PostgreSql, "Host=db;Database=orleans;Username=orleans;Password=…", SqlSchemaParts.All);
/// </code>
/// Or print the SQL and apply it by hand, e.g. <c>psql --single-transaction -f schema.sql</c>:
/// <code>
/// File.WriteAllText("schema.sql", SqlSchema.GetScript(SqlDialect.PostgreSql, SqlSchemaParts.All));
/// </code>
/// </example>
public static class SqlSchema
{
    /// <summary>
    /// Creates what is missing and refreshes the provider queries. Safe to call at every start, and
    /// from several processes at once: the scripts are idempotent and run in one transaction, which
    /// on PostgreSQL holds an advisory lock and on SQLite the write lock.
    /// </summary>
    /// <exception cref="NotSupportedException">A part the dialect has no script for (SQLite has grain storage only).</exception>
    public static Task ApplyAsync(SqlDialect dialect, string connectionString, SqlSchemaParts parts, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        var scripts = SqlScripts.For(dialect, parts);
        return dialect switch
        {
            SqlDialect.PostgreSql => PostgresSchemaApplier.ApplyAsync(connectionString, scripts, cancellationToken),
            SqlDialect.Sqlite => SqliteSchemaApplier.ApplyAsync(connectionString, scripts, cancellationToken),
            _ => throw new ArgumentOutOfRangeException(nameof(dialect), dialect, "Unknown SQL dialect."),
        };
    }

    /// <summary>The SQL that <see cref="ApplyAsync"/> runs, as one text, for applying by hand.</summary>
    public static string GetScript(SqlDialect dialect, SqlSchemaParts parts)
        => string.Join(Environment.NewLine + Environment.NewLine, SqlScripts.For(dialect, parts).Select(script => script.Text));
}
