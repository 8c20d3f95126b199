using Microsoft.Data.Sqlite;

namespace OrleansStream.Runtime.Storage;

/// <summary>The connection string OrleansStream uses for a SQLite database file written by many grains at once.</summary>
internal static class SqliteConnectionStrings
{
    /// <summary>Seconds a statement waits for another connection's write lock before it fails.</summary>
    public const int BusyTimeoutSeconds = 30;

    public static string ForDatabaseFile(string path) => new SqliteConnectionStringBuilder
    {
        DataSource = Path.GetFullPath(path),
        Mode = SqliteOpenMode.ReadWriteCreate,
        // A private cache per connection: the shared cache locks whole tables and fails fast with
        // SQLITE_LOCKED instead of waiting, which is the opposite of what concurrent grains need.
        Cache = SqliteCacheMode.Private,
        // The provider opens a connection for every read and write; pooling keeps the file open.
        Pooling = true,
        // SQLite has one writer at a time. Microsoft.Data.Sqlite retries a statement that finds the
        // database busy until this timeout, so concurrent grain writes queue instead of failing.
        DefaultTimeout = BusyTimeoutSeconds,
    }.ToString();
}
