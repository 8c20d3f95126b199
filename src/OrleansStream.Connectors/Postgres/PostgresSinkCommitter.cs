using Npgsql;
using OrleansStream.Api.Connectors;

namespace OrleansStream.Connectors.Postgres;

/// <summary>
/// Commits staged rows in one database transaction together with their row in the commit log, so the rows are
/// inserted exactly when the log row is new: a repeated commit inserts nothing.
/// </summary>
internal sealed class PostgresSinkCommitter(string connectionString, string target, string insertStatement) : ISinkCommitter
{
    /// <summary>Rows per round trip: large enough to amortise latency, small enough to bound the batch in memory.</summary>
    private const int RowsPerBatch = 1000;

    private bool _commitLogReady;

    public async ValueTask CommitAsync(SinkCommittable committable, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(committable);
        cancellationToken.ThrowIfCancellationRequested();
        var staged = PostgresCommittable.Decode(committable);
        try
        {
            await using var connection = await PostgresDataSources.Get(connectionString).OpenConnectionAsync(cancellationToken);
            if (!_commitLogReady)
            {
                await PostgresCommitLog.EnsureTableAsync(connection, cancellationToken);
                _commitLogReady = true;
            }

            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            if (!await PostgresCommitLog.TryMarkAsync(connection, transaction, staged, committable, cancellationToken))
            {
                await transaction.RollbackAsync(cancellationToken);
                return;
            }

            for (int start = 0; start < staged.Rows.Length; start += RowsPerBatch)
            {
                await using var batch = new NpgsqlBatch(connection, transaction);
                int end = Math.Min(start + RowsPerBatch, staged.Rows.Length);
                for (int r = start; r < end; r++)
                {
                    var command = new NpgsqlBatchCommand(insertStatement);
                    foreach (object value in staged.Rows[r])
                    {
                        command.Parameters.Add(new NpgsqlParameter { Value = value });
                    }

                    batch.BatchCommands.Add(command);
                }

                await batch.ExecuteNonQueryAsync(cancellationToken);
            }

            await transaction.CommitAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is NpgsqlException or InvalidCastException or ArgumentException)
        {
            // All of the transaction or none of it is in the database (either when the connection broke during COMMIT):
            // committing again is safe.
            throw new InvalidOperationException(
                $"Cannot commit checkpoint {committable.CheckpointId} of subtask {committable.Subtask} (attempt {committable.Attempt}) "
                + $"to the PostgreSQL sink {target} at {PostgresDataSources.Describe(connectionString)}: {ex.Message}",
                ex);
        }
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
