using OrleansStream.Functions;
using OrleansStream.Graph;
using OrleansStream.Operators;

namespace OrleansStream.Api;

/// <summary>
/// Async I/O on a stream (Flink's AsyncDataStream): each record is handed to an async function (a lookup
/// in a database or a service) without blocking the task, with at most <c>capacity</c> calls in flight per
/// subtask. Results keep the record's timestamp. Records received but not yet emitted are checkpointed and
/// called for again after a restore, so with a replayable source the output stays exactly-once.
/// </summary>
public static class AsyncDataStream
{
    /// <summary>Emits results in the order of the input records (Flink's orderedWait).</summary>
    /// <param name="input">The records to call for.</param>
    /// <param name="function">The call; shared by the subtasks of a silo, so thread-safe.</param>
    /// <param name="timeout">How long one call may take from its start; zero or less for no limit. On expiry
    /// <see cref="IAsyncFunction{TIn, TOut}.Timeout"/> decides: by default the job fails.</param>
    /// <param name="capacity">The most calls started and not yet emitted per subtask; more input waits.</param>
    /// <param name="name">The operator's name, shown in the plan, metrics and errors.</param>
    public static DataStream<TOut> OrderedWait<TIn, TOut>(DataStream<TIn> input, IAsyncFunction<TIn, TOut> function, TimeSpan timeout, int capacity = 100, string name = "Async I/O")
        => Add(input, function, AsyncOutputMode.Ordered, timeout, capacity, name);

    /// <summary>Emits results as their calls complete, but never across a watermark (Flink's unorderedWait).</summary>
    /// <inheritdoc cref="OrderedWait{TIn, TOut}(DataStream{TIn}, IAsyncFunction{TIn, TOut}, TimeSpan, int, string)"/>
    public static DataStream<TOut> UnorderedWait<TIn, TOut>(DataStream<TIn> input, IAsyncFunction<TIn, TOut> function, TimeSpan timeout, int capacity = 100, string name = "Async I/O")
        => Add(input, function, AsyncOutputMode.Unordered, timeout, capacity, name);

    /// <summary>Ordered async I/O with one result per record from <paramref name="call"/>; a timeout fails the job.</summary>
    public static DataStream<TOut> OrderedWait<TIn, TOut>(DataStream<TIn> input, Func<TIn, CancellationToken, Task<TOut>> call, TimeSpan timeout, int capacity = 100, string name = "Async I/O")
        => OrderedWait(input, FromDelegate(call), timeout, capacity, name);

    /// <summary>Unordered async I/O with one result per record from <paramref name="call"/>; a timeout fails the job.</summary>
    public static DataStream<TOut> UnorderedWait<TIn, TOut>(DataStream<TIn> input, Func<TIn, CancellationToken, Task<TOut>> call, TimeSpan timeout, int capacity = 100, string name = "Async I/O")
        => UnorderedWait(input, FromDelegate(call), timeout, capacity, name);

    private static IAsyncFunction<TIn, TOut> FromDelegate<TIn, TOut>(Func<TIn, CancellationToken, Task<TOut>> call)
        => new DelegateAsyncFunction<TIn, TOut>(call ?? throw new ArgumentNullException(nameof(call)));

    private static DataStream<TOut> Add<TIn, TOut>(DataStream<TIn> input, IAsyncFunction<TIn, TOut> function, AsyncOutputMode mode, TimeSpan timeout, int capacity, string name)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(function);
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        var upstream = input.Transformation;

        // The codec is read when the operator is created, after the job is built: WithCodec may come later.
        return new DataStream<TOut>(input.Builder, input.Builder.Add(id => new OneInputTransformation<TIn, TOut>(
            id, name, upstream, n => new AsyncWaitOperator<TIn, TOut>(n, function, mode, timeout, capacity, upstream.Codec))));
    }
}
