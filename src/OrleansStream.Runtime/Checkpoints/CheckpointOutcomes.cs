using OrleansStream.Contracts.Checkpoints;

namespace OrleansStream.Runtime.Checkpoints;

/// <summary>
/// What became of each checkpoint and savepoint triggered by this job grain's activation: what a client
/// polls after triggering a savepoint. Outlives the coordinator, so that a stop-with-savepoint's outcome
/// is still known once the job has stopped.
/// </summary>
internal sealed class CheckpointOutcomes
{
    private readonly Dictionary<long, CheckpointOutcome> _outcomes = new();

    public CheckpointOutcome? this[long checkpointId] => _outcomes.GetValueOrDefault(checkpointId);

    public void InProgress(long id) => _outcomes[id] = new CheckpointOutcome(id, CheckpointOutcomeState.InProgress, null, null);

    public void Completed(long id, string pointer) => _outcomes[id] = new CheckpointOutcome(id, CheckpointOutcomeState.Completed, pointer, null);

    public void Failed(long id, string reason) => _outcomes[id] = new CheckpointOutcome(id, CheckpointOutcomeState.Failed, null, reason);
}
