using OrleansStream.Contracts.Checkpoints;
using OrleansStream.Runtime.Tasks;

namespace OrleansStream.Runtime.Checkpoints;

/// <summary>A checkpoint or savepoint that has been triggered and waits for every subtask's snapshot.</summary>
internal sealed class PendingCheckpoint
{
    private readonly Dictionary<TaskId, TaskSnapshot?> _snapshots;

    public PendingCheckpoint(long id, SnapshotKind kind, bool persist, bool stopAfter, bool isFinal, IEnumerable<TaskId> tasks, DateTimeOffset startedAt)
    {
        Id = id;
        Kind = kind;
        Persist = persist;
        StopAfter = stopAfter;
        IsFinal = isFinal;
        StartedAt = startedAt;
        _snapshots = tasks.ToDictionary(t => t, _ => (TaskSnapshot?)null);
    }

    public long Id { get; }

    public SnapshotKind Kind { get; }

    /// <summary>False for the commit-only final checkpoint of a job without checkpointing: nothing is stored.</summary>
    public bool Persist { get; }

    /// <summary>A stop-with-savepoint: the job stops once this completes.</summary>
    public bool StopAfter { get; }

    /// <summary>Taken after every task finished: the job finishes once this completes and its sinks committed.</summary>
    public bool IsFinal { get; }

    public DateTimeOffset StartedAt { get; }

    public bool IsComplete => _snapshots.Values.All(s => s is not null);

    public bool Expects(TaskId task) => _snapshots.TryGetValue(task, out var snapshot) && snapshot is null;

    /// <summary>Records a subtask's snapshot; false if it was not expected (another attempt, or already in).</summary>
    public bool Acknowledge(TaskId task, TaskSnapshot snapshot)
    {
        if (!Expects(task))
        {
            return false;
        }

        _snapshots[task] = snapshot;
        return true;
    }

    public IReadOnlyList<TaskSnapshot> Snapshots => _snapshots.Values.Where(s => s is not null).Select(s => s!).ToList();
}
