using OrleansStream.Api.Connectors;

namespace OrleansStream.Connectors.Postgres;

/// <summary>
/// An exactly-once PostgreSQL sink, created by <see cref="PostgresSink"/>.
/// </summary>
/// <remarks>
/// <para>
/// Each subtask keeps the rows of the running checkpoint; at the checkpoint barrier they are encoded into the
/// checkpoint itself (the committable), and when the checkpoint completes one database transaction inserts them
/// (batched INSERTs, a thousand rows per round trip) and a row of <c>orleansstream_sink_commits(job_id,
/// operator_id, subtask, attempt, checkpoint_id, committed_at)</c>. That row goes first, with <c>ON CONFLICT DO
/// NOTHING</c> on its primary key: when the transaction was committed before (a commit repeated after a failure,
/// or by another subtask after rescaling) it is already there, and the rows are not inserted again. The sink
/// creates the commits table (in the connection's default schema) when it is missing.
/// </para>
/// <para>
/// Rows are held in memory and in the checkpoint until their checkpoint completes, and appear at checkpoint
/// intervals: fine for results and aggregates; for large volumes use the file sink
/// (<see cref="Files.FileSink.ForRowFormat{T}"/>), whose checkpoints hold only file names.
/// </para>
/// <para>
/// Values may be null, string, bool, short, int, long, float, double, decimal, DateTime, DateTimeOffset, Guid,
/// byte[], TimeSpan, DateOnly or TimeOnly; Npgsql maps them to PostgreSQL types as usual (a DateTime for a
/// <c>timestamptz</c> column must be UTC; a DateTimeOffset is stored as its instant in UTC). Another column type
/// needs a cast in the statement (<see cref="PostgresSink.ForStatement{T}"/>). A commit that PostgreSQL rejects
/// (a constraint, a type mismatch) fails again on every restore of that checkpoint: check rows before the sink.
/// </para>
/// <para>
/// All PostgreSQL sinks of a process share one connection pool per connection string.
/// </para>
/// </remarks>
public sealed class PostgresSink<T> : ITransactionalSink<T>
{
    private readonly string _target;
    private readonly int? _width;
    private readonly Func<T, object?[]> _toRow;

    internal PostgresSink(string connectionString, string target, string statement, int? width, Func<T, object?[]> toRow)
    {
        ConnectionString = PostgresDataSources.Validate(connectionString, nameof(connectionString));
        _target = target;
        Statement = statement;
        _width = width;
        _toRow = toRow;
    }

    public string ConnectionString { get; }

    /// <summary>The statement run once per row.</summary>
    public string Statement { get; }

    public int? RequiredParallelism => null;

    public ISinkWriter<T> CreateWriter(SinkContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return new PostgresSinkWriter<T>(context, _target, _width, _toRow);
    }

    public ISinkCommitter CreateCommitter(SinkContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return new PostgresSinkCommitter(ConnectionString, _target, Statement);
    }

    public override string ToString() => $"PostgreSQL sink {_target} ({PostgresDataSources.Describe(ConnectionString)})";
}
