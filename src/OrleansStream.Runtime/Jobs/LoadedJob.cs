using OrleansStream.Graph;
using OrleansStream.Runtime.Checkpoints;

namespace OrleansStream.Runtime.Jobs;

/// <summary>
/// A live job as its job grain holds it on this silo: the graph built from the job's code (kept loaded
/// while this lives), the execution of its running attempt and its checkpoint coordinator. Disposed when
/// the job ends, so that nothing here keeps an uploaded job's code from being unloaded.
/// </summary>
internal sealed class LoadedJob(JobGraph graph, JobExecution execution, CheckpointCoordinator checkpoints, IDisposable code) : IDisposable
{
    /// <summary>The graph the job runs: a live rescale replaces it with the same job at other parallelism.</summary>
    public JobGraph Graph { get; private set; } = graph;

    public JobExecution Execution => execution;

    public CheckpointCoordinator Checkpoints => checkpoints;

    /// <summary>
    /// The job is at the parallelism of <paramref name="rescaled"/> from now on: its next attempt deploys it. The running
    /// attempt gets there as a live rescale moves its key groups, stage by stage (<see cref="JobExecution.Rescale"/>).
    /// </summary>
    public void Rescale(JobGraph rescaled) => Graph = rescaled;

    public void Dispose()
    {
        checkpoints.Dispose();
        execution.Unload();
        code.Dispose();
    }
}
