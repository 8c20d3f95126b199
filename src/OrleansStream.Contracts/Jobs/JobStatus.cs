using OrleansStream.Contracts.Checkpoints;
using OrleansStream.Contracts.Rescaling;

namespace OrleansStream.Contracts.Jobs;

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
    [property: Id(10)] IReadOnlyList<string>? Slots = null,
    [property: Id(11)] IReadOnlyList<RescaleInfo>? Rescales = null,
    [property: Id(12)] DateTimeOffset? IdleSince = null,
    [property: Id(13)] int Wakes = 0)
{
    public bool IsTerminal => State.IsTerminal();

    /// <summary>The rescale under way, if any.</summary>
    public RescaleInfo? Rescaling => Rescales?.LastOrDefault(r => r.State == RescaleState.InProgress);

    /// <summary>Records counted by the operators named <paramref name="operatorName"/> (input side; output for sources).</summary>
    public long RecordsOf(string operatorName)
        => Vertices.SelectMany(v => v.Operators).Where(o => o.Name == operatorName).Sum(o => o.RecordsIn > 0 ? o.RecordsIn : o.RecordsOut);
}
