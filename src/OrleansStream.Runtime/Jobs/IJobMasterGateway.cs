using Orleans.Concurrency;
using OrleansStream.Runtime.Checkpoints;
using OrleansStream.Runtime.Tasks;
using OrleansStream.Runtime.Rescaling;

namespace OrleansStream.Runtime.Jobs;

/// <summary>
/// What a job's tasks tell their job grain (Flink's JobMasterGateway and CheckpointCoordinatorGateway):
/// progress, the end or failure of a task, and checkpoint acknowledgements. Silo-internal: clients see
/// only <see cref="Contracts.Jobs.IJobGrain"/>.
/// </summary>
internal interface IJobMasterGateway : IGrainWithStringKey
{
    /// <summary>
    /// True while <paramref name="task"/> is a subtask of the job's running attempt; any other task stops itself (of an
    /// older attempt, or one a rescale retired that a job grain that took over the job does not know).
    /// </summary>
    [AlwaysInterleave]
    Task<bool> IsCurrentAsync(TaskId task);

    /// <summary>A running task's counts, rates and watermark (what status shows while the job runs).</summary>
    [OneWay]
    Task ReportProgressAsync(TaskReport report);

    [OneWay]
    Task OnTaskFinishedAsync(TaskReport report);

    [OneWay]
    Task OnTaskFailedAsync(TaskReport report, string error);

    [OneWay]
    Task AcknowledgeCheckpointAsync(TaskId task, long checkpointId, TaskSnapshot snapshot);

    [OneWay]
    Task DeclineCheckpointAsync(TaskId task, long checkpointId, string reason);

    /// <summary>
    /// Silo <paramref name="silo"/> is leaving gracefully: the job moves its subtasks there to the other silos (live,
    /// each with its state, or at a savepoint it stops at and restarts from). Returns the rescale that does it, or null
    /// when the job has nothing there (or cannot move: it then recovers when the silo is gone).
    /// </summary>
    Task<long?> VacateSiloAsync(SiloAddress silo);

    /// <summary>A subtask that a live drain moved runs again on its new silo.</summary>
    [OneWay]
    Task OnTaskRelocatedAsync(TaskRelocated relocated);

    /// <summary>A subtask installed key groups handed over to it in a live rescale step and let their records go.</summary>
    [OneWay]
    Task OnKeyGroupsInstalledAsync(TaskId task, KeyGroupsInstalled installed);
}
