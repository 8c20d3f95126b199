namespace OrleansStream.Operators;

/// <summary>
/// An operator that holds input it has accepted but not yet emitted (async I/O): the task takes no more
/// input until it has capacity again, and does not finish until it has emitted everything.
/// </summary>
public interface IBackpressuredOperator
{
    /// <summary>Completes (at once when it can) when the operator can take more input; cancelled when the operator closes.</summary>
    ValueTask WaitForCapacityAsync();

    /// <summary>Completes when everything the operator received has been emitted; cancelled when the operator closes.</summary>
    ValueTask WaitUntilDrainedAsync();
}
