namespace OrleansStream.Contracts.Jobs;

/// <summary>Where a job is in its life (Flink's JobStatus).</summary>
[GenerateSerializer]
public enum JobState
{
    Created,
    Running,

    /// <summary>An attempt failed; the job waits for the restart strategy's delay and then restarts from its last checkpoint.</summary>
    Restarting,

    /// <summary>Stopped by the user with a savepoint, from which it can be started again.</summary>
    Stopped,
    Finished,
    Failed,
    Canceled,

    /// <summary>
    /// Its sources had no input for its idle timeout: it took a checkpoint and released every task, and wakes from that
    /// checkpoint (as a new attempt) when its sources' watchers see input.
    /// </summary>
    Idle,
}

public static class JobStates
{
    /// <summary>Finished, failed, canceled or stopped: the job runs no more (a stopped job can be started again from its savepoint).</summary>
    public static bool IsTerminal(this JobState state) => state is JobState.Finished or JobState.Failed or JobState.Canceled or JobState.Stopped;
}
