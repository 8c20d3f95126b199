using OrleansStream.Contracts.Jobs;
using OrleansStream.Graph;

namespace OrleansStream.Runtime.Checkpoints;

/// <summary>Whether a job can start from a savepoint (or retained checkpoint): the same max parallelism, and a home for all of its state.</summary>
internal static class SavepointCompatibility
{
    /// <summary>Throws <see cref="JobSubmissionException"/> naming what does not match.</summary>
    public static void Check(CheckpointMetadata from, JobGraph graph, bool allowNonRestoredState)
    {
        if (from.MaxParallelism != graph.MaxParallelism)
        {
            throw new JobSubmissionException(
                $"Savepoint {from.Pointer} was taken with max parallelism {from.MaxParallelism} but the job has {graph.MaxParallelism}; they must be equal.");
        }

        var unmatched = StateAssignment.UnmatchedOperators(from, graph);
        if (unmatched.Count > 0 && !allowNonRestoredState)
        {
            throw new JobSubmissionException(
                $"Savepoint {from.Pointer} has state for operators this job does not have ({string.Join(", ", unmatched)}). " +
                "Give the operators the same uids as before, or allow non-restored state to drop it.");
        }
    }
}
