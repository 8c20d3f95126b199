namespace OrleansStream.Runtime.Storage;

/// <summary>The databases OrleansStream ships SQL scripts for.</summary>
public enum SqlDialect
{
    /// <summary>PostgreSQL 15 or later, through Npgsql: grain storage, reminders and clustering.</summary>
    PostgreSql,

    /// <summary>SQLite, through Microsoft.Data.Sqlite: grain storage on one machine.</summary>
    Sqlite,
}
