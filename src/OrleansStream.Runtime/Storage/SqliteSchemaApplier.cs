using Microsoft.Data.Sqlite;

namespace OrleansStream.Runtime.Storage;

/// <summary>Runs the SQLite scripts in one write transaction, creating the database file and its directory if needed.</summary>
internal static class SqliteSchemaApplier
{
    public static async Task ApplyAsync(string connectionString, IReadOnlyList<SqlScript> scripts, CancellationToken cancellationToken)
    {
        CreateDirectoryOf(new SqliteConnectionStringBuilder(connectionString));
        await using var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync(cancellationToken);

        // WAL lets readers run beside the single writer and makes each commit one append. It belongs
        // to the file, so every later connection (the provider's) gets it, and it cannot be switched
        // inside a transaction.
        await using (var pragma = new SqliteCommand("PRAGMA journal_mode = WAL;", connection))
        {
            await pragma.ExecuteNonQueryAsync(cancellationToken);
        }

        // BEGIN IMMEDIATE takes the write lock up front: a second silo starting at once waits for it
        // (the busy timeout) instead of failing when its read lock cannot be upgraded.
        await using var transaction = connection.BeginTransaction(deferred: false);
        foreach (var script in scripts)
        {
            try
            {
                await using var command = new SqliteCommand(script.Text, connection, transaction);
                await command.ExecuteNonQueryAsync(cancellationToken);
            }
            catch (SqliteException exception)
            {
                throw new InvalidOperationException($"Applying the SQL script {script.Name} failed: {exception.Message}", exception);
            }
        }

        await transaction.CommitAsync(cancellationToken);
    }

    private static void CreateDirectoryOf(SqliteConnectionStringBuilder builder)
    {
        var dataSource = builder.DataSource;
        if (builder.Mode == SqliteOpenMode.Memory || string.IsNullOrEmpty(dataSource) || dataSource == ":memory:" || dataSource.StartsWith("file:", StringComparison.OrdinalIgnoreCase))
        {
            return;
        }

        var directory = Path.GetDirectoryName(Path.GetFullPath(dataSource));
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }
    }
}
