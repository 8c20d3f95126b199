using OrleansStream.Contracts.Checkpoints;
using OrleansStream.Contracts.Jobs;

namespace OrleansStream.Runtime.Jobs;

/// <summary>A job's status as clients see it, from its record and, while it is live, its execution and checkpoint coordinator.</summary>
internal static class JobStatusView
{
    /// <param name="jobId">The job.</param>
    /// <param name="record">Its record; null before it was submitted.</param>
    /// <param name="job">The live job; null once it ended.</param>
    /// <param name="endedVertices">For an ended job, its vertices as they were at the end; unknown when the grain was reactivated since.</param>
    /// <param name="supervisor">The silo of the job grain.</param>
    public static JobStatus Of(string jobId, JobRecord? record, LoadedJob? job, IReadOnlyList<VertexStatus>? endedVertices, SiloAddress supervisor)
    {
        if (record is null)
        {
            return new JobStatus(jobId, jobId, JobState.Created, 0, null, Array.Empty<VertexStatus>(), null, null, CheckpointStatus.None);
        }

        var checkpoints = new CheckpointStatus(record.CompletedCheckpoints, record.FailedCheckpoints, job?.Checkpoints.InProgress, record.LatestCompleted,
            record.Savepoints.ToList(), record.StartedFrom, record.Restarts, record.LastFailure);
        var status = new JobStatus(jobId, record.JobName, record.State, record.Attempt, record.Failure, endedVertices ?? Array.Empty<VertexStatus>(),
            record.StartedAt, record.EndedAt, checkpoints, supervisor.ToString(), Rescales: record.Rescales.ToList(), IdleSince: record.IdleSince, Wakes: record.Wakes);
        return job is { Execution: var execution }
            ? status with { Vertices = execution.VertexStatuses(), Slots = execution.Slots.Select(s => s.ToString()).ToList() }
            : status;
    }
}
