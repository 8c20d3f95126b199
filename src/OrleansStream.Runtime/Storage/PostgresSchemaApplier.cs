using Npgsql;

namespace OrleansStream.Runtime.Storage;

/// <summary>Runs the PostgreSQL scripts in one transaction, one process at a time.</summary>
internal static class PostgresSchemaApplier
{
    // Any number every OrleansStream process agrees on; it only has to differ from other advisory
    // locks taken in the same database. The ASCII of "OSSCHEMA".
    private const long AdvisoryLockKey = 0x4F53_5343_4845_4D41;

    public static async Task ApplyAsync(string connectionString, IReadOnlyList<SqlScript> scripts, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);

        // CREATE TABLE IF NOT EXISTS and CREATE OR REPLACE FUNCTION are not safe against the same
        // statement in another session (both can fail with a duplicate or "tuple concurrently
        // updated"), so silos starting at once take turns. The lock ends with the transaction.
        await using (var command = new NpgsqlCommand($"SELECT pg_advisory_xact_lock({AdvisoryLockKey})", connection, transaction))
        {
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        foreach (var script in scripts)
        {
            try
            {
                await using var command = new NpgsqlCommand(script.Text, connection, transaction);
                await command.ExecuteNonQueryAsync(cancellationToken);
            }
            catch (PostgresException exception)
            {
                throw new InvalidOperationException($"Applying the SQL script {script.Name} failed: {exception.MessageText}", exception);
            }
        }

        await transaction.CommitAsync(cancellationToken);
    }
}
