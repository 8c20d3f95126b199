using Npgsql;
using OrleansStream.Api.Connectors;

namespace OrleansStream.Connectors.Postgres;

/// <summary>
/// The table <c>orleansstream_sink_commits</c> that records every committed transaction of the PostgreSQL sinks; its
/// primary key makes a repeated commit find its row and skip the insert of the data.
/// </summary>
internal static class PostgresCommitLog
{
    public const string Table = "orleansstream_sink_commits";

    private const string CreateTable = $"""
        CREATE TABLE IF NOT EXISTS {Table} (
            job_id text NOT NULL,
            operator_id text NOT NULL,
            subtask integer NOT NULL,
            attempt integer NOT NULL,
            checkpoint_id bigint NOT NULL,
            committed_at timestamptz NOT NULL DEFAULT now(),
            PRIMARY KEY (job_id, operator_id, checkpoint_id, subtask, attempt)
        )
        """;

    private const string Mark = $"""
        INSERT INTO {Table} (job_id, operator_id, subtask, attempt, checkpoint_id, committed_at)
        VALUES ($1, $2, $3, $4, $5, now())
        ON CONFLICT DO NOTHING
        """;

    /// <summary>
    /// Creates the table unless it exists. Concurrent <c>CREATE TABLE IF NOT EXISTS</c> can still fail on PostgreSQL's
    /// catalog, so subtasks take turns under a transaction-scoped advisory lock.
    /// </summary>
    public static async Task EnsureTableAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var command = new NpgsqlCommand($"SELECT pg_advisory_xact_lock(hashtext('{Table}'))", connection, transaction))
        {
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        await using (var command = new NpgsqlCommand(CreateTable, connection, transaction))
        {
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>
    /// Records the transaction in <paramref name="transaction"/>; false when it was committed before. A concurrent
    /// commit of the same transaction waits here for the other to finish, then finds its row.
    /// </summary>
    public static async Task<bool> TryMarkAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, PostgresCommittable staged, SinkCommittable committable, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(Mark, connection, transaction)
        {
            Parameters =
            {
                new() { Value = staged.JobId },
                new() { Value = staged.OperatorId },
                new() { Value = committable.Subtask },
                new() { Value = committable.Attempt },
                new() { Value = committable.CheckpointId },
            },
        };
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }
}
