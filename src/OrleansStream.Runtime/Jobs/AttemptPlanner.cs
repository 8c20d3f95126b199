using OrleansStream.Contracts.Checkpoints;
using OrleansStream.Contracts.Jobs;
using OrleansStream.Graph;
using OrleansStream.Runtime.Checkpoints;
using OrleansStream.Runtime.Placement;

namespace OrleansStream.Runtime.Jobs;

/// <summary>What an attempt of a job restores from (null for a fresh start) and the silo of each task slot it runs in.</summary>
internal sealed record AttemptPlan(CheckpointMetadata? From, IReadOnlyList<SiloAddress> Slots);

/// <summary>Plans an attempt of a job: finds the snapshot it restores and assigns its task slots on the cluster's silos as they are now.</summary>
internal sealed class AttemptPlanner(SnapshotStore snapshots, ClusterSlots clusterSlots)
{
    /// <summary>
    /// The first attempt of a submitted job, from its savepoint if it names one. Throws
    /// <see cref="JobSubmissionException"/> for a savepoint that is missing or does not fit the job, and
    /// <see cref="Contracts.Cluster.InsufficientSlotsException"/> when the cluster lacks slots.
    /// </summary>
    public async Task<AttemptPlan> PlanFirstAsync(string jobId, JobSubmission submission, JobGraph graph)
    {
        CheckpointMetadata? from = null;
        if (submission.FromSavepoint is { } pointer)
        {
            (string JobId, long CheckpointId) savepoint;
            try
            {
                savepoint = SnapshotPointer.Parse(pointer);
            }
            catch (FormatException ex)
            {
                throw new JobSubmissionException(ex.Message);
            }

            from = await snapshots.ReadCheckpointAsync(savepoint.JobId, savepoint.CheckpointId, CancellationToken.None)
                ?? throw new JobSubmissionException($"Savepoint '{pointer}' was not found in checkpoint storage.");
            SavepointCompatibility.Check(from, graph, submission.AllowNonRestoredState);
        }

        // A job holds its slots from here until it ends: a new one gets free slots, or a refusal, not a share of taken ones.
        var capacity = await clusterSlots.CapacityForAsync(jobId);
        if (graph.RequiredSlots > capacity.Free && graph.RequiredSlots <= capacity.Total)
        {
            throw new Contracts.Cluster.InsufficientSlotsException(jobId, graph.RequiredSlots, capacity.Total, capacity.Silos.Count, capacity.UsedByOthers);
        }

        return new AttemptPlan(from, SlotAssignment.Assign(jobId, graph.RequiredSlots, capacity.Silos));
    }

    /// <summary>
    /// A restart from <paramref name="restorePoint"/> (the job's latest completed checkpoint or savepoint), or from the beginning,
    /// on the slots the job holds (the others counted them as taken while it ran).
    /// </summary>
    public async Task<AttemptPlan> PlanRestartAsync(string jobId, string? restorePoint, JobGraph graph)
    {
        var from = restorePoint is null
            ? null
            : await snapshots.ReadCheckpointAsync(restorePoint) ?? throw new InvalidOperationException($"Restore point {restorePoint} is missing from checkpoint storage.");
        return new AttemptPlan(from, await AssignSlotsAsync(jobId, graph));
    }

    private async Task<IReadOnlyList<SiloAddress>> AssignSlotsAsync(string jobId, JobGraph graph)
        => SlotAssignment.Assign(jobId, graph.RequiredSlots, await clusterSlots.QueryAsync(jobId));
}
