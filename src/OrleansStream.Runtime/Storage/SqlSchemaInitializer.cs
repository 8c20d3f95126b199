using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace OrleansStream.Runtime.Storage;

/// <summary>
/// Applies the SQL schema of every registered <see cref="SqlSchemaTarget"/> when the silo starts,
/// before any ADO.NET provider reads its queries: membership and reminders start at
/// <see cref="ServiceLifecycleStage.RuntimeGrainServices"/>, grain storage at
/// <see cref="ServiceLifecycleStage.ApplicationServices"/>.
/// </summary>
internal sealed partial class SqlSchemaInitializer(IEnumerable<SqlSchemaTarget> targets, ILogger<SqlSchemaInitializer> logger)
    : ILifecycleParticipant<ISiloLifecycle>
{
    public const int Stage = ServiceLifecycleStage.RuntimeInitialize;

    public void Participate(ISiloLifecycle lifecycle) => lifecycle.Subscribe(nameof(SqlSchemaInitializer), Stage, ApplyAsync);

    private async Task ApplyAsync(CancellationToken cancellationToken)
    {
        // Storage, reminders and clustering often share one database: prepare it once for all of them.
        var databases = targets
            .GroupBy(target => (target.Dialect, target.ConnectionString))
            .Select(group => (group.Key.Dialect, group.Key.ConnectionString, Parts: group.Aggregate(SqlSchemaParts.None, (parts, target) => parts | target.Parts)));
        foreach (var (dialect, connectionString, parts) in databases)
        {
            var stopwatch = Stopwatch.StartNew();
            await SqlSchema.ApplyAsync(dialect, connectionString, parts, cancellationToken);
            LogApplied(dialect, parts, stopwatch.ElapsedMilliseconds);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Applied the OrleansStream {Dialect} schema for {Parts} in {ElapsedMilliseconds} ms.")]
    private partial void LogApplied(SqlDialect dialect, SqlSchemaParts parts, long elapsedMilliseconds);
}
