namespace OrleansStream.Contracts.Rescaling;

/// <summary>Who asked for a rescale.</summary>
[GenerateSerializer]
public enum RescaleTrigger
{
    /// <summary>A client: <c>rescale</c> in the CLI or <c>RescaleAsync</c> in the SDK.</summary>
    User,

    /// <summary>Reactive mode: the job follows the cluster's free slots.</summary>
    Reactive,

    /// <summary>The job's autoscaler.</summary>
    Autoscaler,

    /// <summary>A silo that ran subtasks of the job stopped gracefully, and the job moved them to the others.</summary>
    Drain,
}

/// <summary>How a rescale runs.</summary>
[GenerateSerializer]
public enum RescaleMode
{
    /// <summary>Key groups move between subtasks while the job runs; those that do not move never stop.</summary>
    Live,

    /// <summary>
    /// The job stops with a savepoint and restarts from it at the new parallelism (Flink's way): for changes that
    /// moving key groups cannot make (sources, vertices with operator state on their inputs, a changed graph).
    /// </summary>
    Restart,
}

[GenerateSerializer]
public enum RescaleState
{
    InProgress,
    Completed,
    Failed,
}

/// <summary>A vertex whose parallelism a rescale changes.</summary>
[GenerateSerializer, Immutable, Alias("orleansstream.vertex-rescale")]
public sealed record VertexRescale(
    [property: Id(0)] string Vertex,
    [property: Id(1)] int From,
    [property: Id(2)] int To)
{
    public override string ToString() => $"{Vertex} {From} -> {To}";
}

/// <summary>One rescale of a job, in progress or done: what changed, how, and what it cost.</summary>
[GenerateSerializer, Immutable, Alias("orleansstream.rescale-info")]
public sealed record RescaleInfo
{
    /// <summary>Numbers the job's rescales from 1.</summary>
    [Id(0)] public required long Id { get; init; }

    [Id(1)] public required RescaleTrigger Trigger { get; init; }

    [Id(2)] public required RescaleMode Mode { get; init; }

    [Id(3)] public required IReadOnlyList<VertexRescale> Vertices { get; init; }

    [Id(4)] public required DateTimeOffset StartedAt { get; init; }

    [Id(5)] public RescaleState State { get; init; } = RescaleState.InProgress;

    [Id(6)] public DateTimeOffset? EndedAt { get; init; }

    /// <summary>Key groups that change owner (live), and how many have moved so far.</summary>
    [Id(7)] public int KeyGroupsToMove { get; init; }

    [Id(8)] public int KeyGroupsMoved { get; init; }

    /// <summary>State handed between subtasks (live): key groups and source splits.</summary>
    [Id(9)] public long BytesMoved { get; init; }

    /// <summary>
    /// The longest time any moved key group's records waited for its state, or a moved split was read by no subtask
    /// (live); the whole job's pause for a restart.
    /// </summary>
    [Id(10)] public TimeSpan LongestPause { get; init; }

    /// <summary>Records that waited for their key group's state (live).</summary>
    [Id(11)] public long HeldRecords { get; init; }

    [Id(12)] public string? Reason { get; init; }

    [Id(13)] public string? Failure { get; init; }

    /// <summary>Source splits handed from one reader to another (live).</summary>
    [Id(14)] public int SplitsMoved { get; init; }

    /// <summary>Subtasks moved whole to another silo with their state, under the same attempt (a live drain).</summary>
    [Id(15)] public int SubtasksMoved { get; init; }

    public TimeSpan? Duration => EndedAt - StartedAt;
}
