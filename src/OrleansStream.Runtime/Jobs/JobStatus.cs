namespace OrleansStream.Runtime.Jobs;

[GenerateSerializer]
public enum JobState
{
    Created,
    Running,

    /// <summary>An attempt failed; the job waits for the restart strategy's delay and then restarts from its last checkpoint.</summary>
    Restarting,

    /// <summary>Stopped by the user with a savepoint, from which it can be started again.</summary>
    Stopped,
    Finished,
    Failed,
    Canceled,
}

public static class JobStates
{
    /// <summary>Finished, failed, canceled or stopped: the job runs no more (a stopped job can be started again from its savepoint).</summary>
    public static bool IsTerminal(this JobState state) => state is JobState.Finished or JobState.Failed or JobState.Canceled or JobState.Stopped;
}

/// <summary>Records counted by one operator, summed over its subtasks, and their rates over the last reporting interval.</summary>
[GenerateSerializer, Immutable, Alias("orleansstream.operator-metrics")]
public sealed record OperatorMetrics(
    [property: Id(0)] string Name,
    [property: Id(1)] long RecordsIn,
    [property: Id(2)] long RecordsOut,
    [property: Id(3)] double RecordsInPerSecond = 0,
    [property: Id(4)] double RecordsOutPerSecond = 0);

/// <summary>One vertex of a running job: where its subtasks run and how far they are.</summary>
[GenerateSerializer, Immutable, Alias("orleansstream.vertex-status")]
public sealed record VertexStatus(
    [property: Id(0)] int Id,
    [property: Id(1)] string Name,
    [property: Id(2)] int Parallelism,
    [property: Id(3)] IReadOnlyList<string> Slots,
    [property: Id(4)] int FinishedSubtasks,
    [property: Id(5)] IReadOnlyList<OperatorMetrics> Operators,
    [property: Id(6)] long? Watermark = null);

/// <summary>A job as its job grain sees it.</summary>
[GenerateSerializer, Immutable, Alias("orleansstream.job-status")]
public sealed record JobStatus(
    [property: Id(0)] string JobId,
    [property: Id(1)] string JobName,
    [property: Id(2)] JobState State,
    [property: Id(3)] int Attempt,
    [property: Id(4)] string? Failure,
    [property: Id(5)] IReadOnlyList<VertexStatus> Vertices,
    [property: Id(6)] DateTimeOffset? StartedAt,
    [property: Id(7)] DateTimeOffset? EndedAt,
    [property: Id(8)] CheckpointStatus Checkpoints,
    [property: Id(9)] string? SupervisorSilo = null,
    [property: Id(10)] IReadOnlyList<string>? Slots = null)
{
    public bool IsTerminal => State.IsTerminal();

    /// <summary>Records counted by the operators named <paramref name="operatorName"/> (input side; output for sources).</summary>
    public long RecordsOf(string operatorName)
        => Vertices.SelectMany(v => v.Operators).Where(o => o.Name == operatorName).Sum(o => o.RecordsIn > 0 ? o.RecordsIn : o.RecordsOut);
}

/// <summary>What a task tells its job grain while it runs (every metrics interval) and when it ends.</summary>
[GenerateSerializer, Immutable, Alias("orleansstream.task-report")]
public sealed record TaskReport(
    [property: Id(0)] Tasks.TaskId Task,
    [property: Id(1)] IReadOnlyList<OperatorMetrics> Operators,
    [property: Id(2)] long? Watermark = null);

/// <summary>A completed checkpoint or savepoint as the job's status shows it.</summary>
[GenerateSerializer, Immutable, Alias("orleansstream.completed-checkpoint")]
public sealed record CompletedCheckpointInfo(
    [property: Id(0)] long Id,
    [property: Id(1)] string Pointer,
    [property: Id(2)] Checkpoints.SnapshotKind Kind,
    [property: Id(3)] DateTimeOffset CompletedAt,
    [property: Id(4)] TimeSpan Duration,
    [property: Id(5)] long Bytes);

/// <summary>The checkpointing side of a job's status.</summary>
[GenerateSerializer, Immutable, Alias("orleansstream.checkpoint-status")]
public sealed record CheckpointStatus(
    [property: Id(0)] long Completed,
    [property: Id(1)] long Failed,
    [property: Id(2)] long? InProgress,
    [property: Id(3)] CompletedCheckpointInfo? Latest,
    [property: Id(4)] IReadOnlyList<CompletedCheckpointInfo> Savepoints,
    [property: Id(5)] string? RestoredFrom,
    [property: Id(6)] int Restarts,
    [property: Id(7)] string? LastFailure);

[GenerateSerializer]
public enum CheckpointOutcomeState
{
    InProgress,
    Completed,
    Failed,
}

/// <summary>What became of a triggered checkpoint or savepoint.</summary>
[GenerateSerializer, Immutable, Alias("orleansstream.checkpoint-outcome")]
public sealed record CheckpointOutcome(
    [property: Id(0)] long Id,
    [property: Id(1)] CheckpointOutcomeState State,
    [property: Id(2)] string? Pointer,
    [property: Id(3)] string? Failure);
