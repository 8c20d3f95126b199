using OrleansStream.Api;

namespace OrleansStream.Runtime.Jobs;

/// <summary>
/// What a client sends to start a job: the job class and the parameters it is built from. The
/// graph itself never travels: every silo rebuilds it from this (it holds user lambdas).
/// </summary>
[GenerateSerializer, Immutable, Alias("orleansstream.job-submission")]
public sealed record JobSubmission
{
    /// <summary>Assembly-qualified name of an <see cref="IStreamJob"/> with a parameterless constructor.</summary>
    [Id(0)] public required string JobType { get; init; }

    [Id(1)] public required string JobName { get; init; }

    [Id(2)] public int Parallelism { get; init; } = 1;

    [Id(3)] public Dictionary<string, string> Parameters { get; init; } = new();

    /// <summary>A savepoint or retained checkpoint to start from, as <c>{job id}/{checkpoint id}</c>; null for a fresh start.</summary>
    [Id(4)] public string? FromSavepoint { get; init; }

    /// <summary>Start from the savepoint even if some of its state belongs to no operator of this job (that state is dropped).</summary>
    [Id(5)] public bool AllowNonRestoredState { get; init; }

    public static JobSubmission For<TJob>(int parallelism = 1, IReadOnlyDictionary<string, string>? parameters = null, string? jobName = null)
        where TJob : IStreamJob, new()
        => new()
        {
            JobType = typeof(TJob).AssemblyQualifiedName!,
            JobName = jobName ?? typeof(TJob).Name,
            Parallelism = parallelism,
            Parameters = parameters is null ? new() : new Dictionary<string, string>(parameters),
        };
}
