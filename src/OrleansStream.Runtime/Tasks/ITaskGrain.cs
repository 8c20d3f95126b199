using Orleans.Concurrency;
using OrleansStream.Runtime.Jobs;

namespace OrleansStream.Runtime.Tasks;

/// <summary>What a task grain needs to run its subtask.</summary>
[GenerateSerializer, Immutable, Alias("orleansstream.task-deployment")]
public sealed record TaskDeployment(
    [property: Id(0)] TaskId Task,
    [property: Id(1)] JobSubmission Submission);

/// <summary>One subtask of one attempt of a job (Flink's Task): runs its operator chain.</summary>
public interface ITaskGrain : IGrainWithStringKey
{
    Task StartAsync(TaskDeployment deployment);

    /// <summary>
    /// Stops the subtask if it still runs and lets its activation go. Interleaves, so that a task
    /// waiting on a full channel still hears it.
    /// </summary>
    [AlwaysInterleave]
    Task ReleaseAsync();
}
