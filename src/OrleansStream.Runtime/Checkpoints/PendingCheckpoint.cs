using OrleansStream.Contracts.Checkpoints;
using OrleansStream.Runtime.Tasks;

namespace OrleansStream.Runtime.Checkpoints;

/// <summary>A checkpoint or savepoint that has been triggered and waits for every subtask's snapshot.</summary>
internal sealed class PendingCheckpoint
{
    private readonly Dictionary<TaskId, TaskSnapshot?> _snapshots;
    private int _missing;

    public PendingCheckpoint(CheckpointBarrier barrier, bool isFinal, IEnumerable<TaskId> tasks, DateTimeOffset startedAt)
    {
        Barrier = barrier;
        IsFinal = isFinal;
        StartedAt = startedAt;
        _snapshots = tasks.ToDictionary(t => t, _ => (TaskSnapshot?)null);
        _missing = _snapshots.Count;
    }

    public CheckpointBarrier Barrier { get; }

    public long Id => Barrier.CheckpointId;

    public SnapshotKind Kind => Barrier.Options.Kind;

    /// <summary>Taken after every task finished: the job finishes once this completes and its sinks committed.</summary>
    public bool IsFinal { get; }

    public DateTimeOffset StartedAt { get; }

    public bool IsComplete => _missing == 0;

    public bool Expects(TaskId task) => _snapshots.TryGetValue(task, out var snapshot) && snapshot is null;

    /// <summary>Records a subtask's snapshot; false if it was not expected (another attempt, or already in).</summary>
    public bool Acknowledge(TaskId task, TaskSnapshot snapshot)
    {
        if (!Expects(task))
        {
            return false;
        }

        _snapshots[task] = snapshot;
        _missing--;
        return true;
    }

    public IReadOnlyList<TaskSnapshot> Snapshots => _snapshots.Values.OfType<TaskSnapshot>().ToList();
}
