namespace OrleansStream.Contracts.Jobs;

/// <summary>A job as the cluster's job list shows it.</summary>
[GenerateSerializer, Immutable, Alias("orleansstream.job-summary")]
public sealed record JobSummary(
    [property: Id(0)] string JobId,
    [property: Id(1)] string JobName,
    [property: Id(2)] string Definition,
    [property: Id(3)] JobState State,
    [property: Id(4)] DateTimeOffset SubmittedAt,
    [property: Id(5)] DateTimeOffset? EndedAt,
    [property: Id(6)] int Parallelism,
    [property: Id(7)] long Revision = 0,
    [property: Id(8)] string? Owner = null)
{
    public bool IsTerminal => State.IsTerminal();
}
