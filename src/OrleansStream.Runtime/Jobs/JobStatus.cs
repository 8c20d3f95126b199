namespace OrleansStream.Runtime.Jobs;

[GenerateSerializer]
public enum JobState
{
    Created,
    Running,
    Finished,
    Failed,
    Canceled,
}

/// <summary>Records counted by one operator, summed over its subtasks.</summary>
[GenerateSerializer, Immutable, Alias("orleansstream.operator-metrics")]
public sealed record OperatorMetrics(
    [property: Id(0)] string Name,
    [property: Id(1)] long RecordsIn,
    [property: Id(2)] long RecordsOut);

/// <summary>One vertex of a running job: where its subtasks run and how far they are.</summary>
[GenerateSerializer, Immutable, Alias("orleansstream.vertex-status")]
public sealed record VertexStatus(
    [property: Id(0)] int Id,
    [property: Id(1)] string Name,
    [property: Id(2)] int Parallelism,
    [property: Id(3)] IReadOnlyList<string> Slots,
    [property: Id(4)] int FinishedSubtasks,
    [property: Id(5)] IReadOnlyList<OperatorMetrics> Operators);

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
    [property: Id(7)] DateTimeOffset? EndedAt)
{
    public bool IsTerminal => State is JobState.Finished or JobState.Failed or JobState.Canceled;

    /// <summary>Records counted by the operators named <paramref name="operatorName"/> (input side; output for sources).</summary>
    public long RecordsOf(string operatorName)
        => Vertices.SelectMany(v => v.Operators).Where(o => o.Name == operatorName).Sum(o => o.RecordsIn > 0 ? o.RecordsIn : o.RecordsOut);
}

/// <summary>What a task tells its job grain when it ends.</summary>
[GenerateSerializer, Immutable, Alias("orleansstream.task-report")]
public sealed record TaskReport(
    [property: Id(0)] Tasks.TaskId Task,
    [property: Id(1)] IReadOnlyList<OperatorMetrics> Operators);
