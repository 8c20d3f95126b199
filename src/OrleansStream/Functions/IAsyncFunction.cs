namespace OrleansStream.Functions;

/// <summary>
/// A function that enriches each record with a call to an external system without blocking the task
/// (Flink's AsyncFunction): the returned task's results are the records to emit for the input, with
/// the input's timestamp. Used with <see cref="Api.AsyncDataStream"/>. An instance is shared by the
/// subtasks of one silo and called for many records at once, so it must be thread-safe.
/// </summary>
public interface IAsyncFunction<in TIn, TOut>
{
    /// <summary>
    /// Starts the call for <paramref name="input"/>; the records the task returns are emitted (in input order
    /// or as they complete, by the operator's mode). A thrown or faulted call fails the job.
    /// <paramref name="cancellationToken"/> is cancelled when the call times out or the task stops.
    /// </summary>
    ValueTask<IReadOnlyCollection<TOut>> InvokeAsync(TIn input, CancellationToken cancellationToken);

    /// <summary>
    /// The call for <paramref name="input"/> did not complete within the timeout: by default the job fails
    /// (as in Flink); override to return fallback records instead (an empty collection drops the input).
    /// </summary>
    IReadOnlyCollection<TOut> Timeout(TIn input)
        => throw new TimeoutException("The async function did not complete within its timeout.");
}
