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
    public JobGraph Graph => graph;

    public JobExecution Execution => execution;

    public CheckpointCoordinator Checkpoints => checkpoints;

    public void Dispose()
    {
        checkpoints.Dispose();
        execution.Unload();
        code.Dispose();
    }
}
