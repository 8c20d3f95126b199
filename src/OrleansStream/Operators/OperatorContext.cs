using OrleansStream.KeyGroups;
using OrleansStream.State;

namespace OrleansStream.Operators;

/// <summary>What an operator instance knows about where it runs.</summary>
public sealed record OperatorContext(
    string JobId,
    int Attempt,
    string OperatorName,
    int SubtaskIndex,
    int Parallelism,
    int MaxParallelism,
    TimeProvider Clock)
{
    private OperatorStateStore? _state;

    public KeyGroupRange KeyGroups => KeyGroupRangeAssignment.RangeForOperator(MaxParallelism, Parallelism, SubtaskIndex);

    /// <summary>The operator's stable id within the job (its uid): the same across attempts, rescaling and savepoints.</summary>
    public string OperatorId { get; init; } = OperatorName;

    /// <summary>The operator's state: keyed state tables and what it was restored from. The task snapshots it at every barrier.</summary>
    public OperatorStateStore State
    {
        get => _state ??= new OperatorStateStore(OperatorId, MaxParallelism, KeyGroups);
        init => _state = value;
    }

    /// <summary>Where work that completes off the task's turn (async I/O results) is posted back to; inline outside a task.</summary>
    public ITaskMailbox Mailbox { get; init; } = InlineTaskMailbox.Instance;

    /// <summary>
    /// The subtask joined a job that was already running (a live rescale added it): it has no state of its own yet, and
    /// a source starts without splits until the rescale hands it some.
    /// </summary>
    public bool JoinsRunningJob { get; init; }

    /// <summary>How often the subtask moved to another silo within its attempt (a live drain), from 0.</summary>
    public int Generation { get; init; }

    public long Now => Clock.GetUtcNow().ToUnixTimeMilliseconds();
}
