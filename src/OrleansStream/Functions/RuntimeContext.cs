using OrleansStream.State;

namespace OrleansStream.Functions;

/// <summary>
/// What a rich function learns about the subtask it runs in when it opens (Flink's RuntimeContext), and
/// for functions on a keyed stream, where it gets its keyed state.
/// </summary>
public sealed class RuntimeContext
{
    private readonly IKeyedStateStore? _state;

    internal RuntimeContext(Operators.OperatorContext operatorContext, IKeyedStateStore? state)
    {
        JobId = operatorContext.JobId;
        Attempt = operatorContext.Attempt;
        OperatorName = operatorContext.OperatorName;
        SubtaskIndex = operatorContext.SubtaskIndex;
        Parallelism = operatorContext.Parallelism;
        MaxParallelism = operatorContext.MaxParallelism;
        _state = state;
    }

    public string JobId { get; }

    /// <summary>The job's attempt: 1 at first, one more after each restart.</summary>
    public int Attempt { get; }

    public string OperatorName { get; }

    public int SubtaskIndex { get; }

    public int Parallelism { get; }

    public int MaxParallelism { get; }

    /// <summary>The keyed state of the function, scoped to the current key.</summary>
    /// <exception cref="InvalidOperationException">The function does not run on a keyed stream.</exception>
    public IKeyedStateStore State => _state ?? throw new InvalidOperationException(
        $"Operator '{OperatorName}' asked for keyed state, but it does not run on a keyed stream: call KeyBy() before it.");
}
