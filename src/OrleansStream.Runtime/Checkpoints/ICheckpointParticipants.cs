using OrleansStream.Runtime.Tasks;

namespace OrleansStream.Runtime.Checkpoints;

/// <summary>
/// The subtasks of a job's running attempt as its checkpoint coordinator sees them: who takes part in a
/// checkpoint, who starts it, and how each is reached. The job grain's execution implements it over
/// task grains; tests implement it in memory.
/// </summary>
internal interface ICheckpointParticipants
{
    /// <summary>Every subtask of the running attempt: a checkpoint is complete when each has acknowledged it.</summary>
    IReadOnlyCollection<TaskId> Tasks { get; }

    /// <summary>True when there are subtasks and every one has finished: a last checkpoint takes their final state and lets the sinks commit.</summary>
    bool AllFinished { get; }

    /// <summary>
    /// True for the subtasks a trigger reaches directly: running sources (they inject the barrier) and
    /// finished subtasks (they snapshot their final state). The others take part when the barriers reach them.
    /// </summary>
    bool IsTriggeredDirectly(TaskId task);

    /// <summary>How messages name the subtask, such as <c>subtask 1 of window-counts</c>.</summary>
    string Describe(TaskId task);

    /// <summary>Asks the subtask to take its snapshot; false when it cannot (it no longer runs).</summary>
    Task<bool> TriggerAsync(TaskId task, CheckpointBarrier barrier);

    /// <summary>The checkpoint is complete: the subtask's sinks commit what they pre-committed for it.</summary>
    Task NotifyCompleteAsync(TaskId task, long checkpointId);

    /// <summary>The checkpoint was abandoned: the subtask stops waiting for its barriers. Nobody waits for this.</summary>
    void Abort(TaskId task, long checkpointId);
}
