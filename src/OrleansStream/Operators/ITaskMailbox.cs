namespace OrleansStream.Operators;

/// <summary>
/// The way back into the hosting task's turn for work that completes elsewhere (Flink's mailbox), such as
/// the result of an async I/O call arriving on a thread-pool thread. Operators run single-threaded, so
/// anything that touches an operator or emits records must be posted here.
/// </summary>
public interface ITaskMailbox
{
    /// <summary>
    /// Runs <paramref name="action"/> later, in a turn of the task and never while the chain is processing;
    /// what it emits is sent right after. An exception fails the task; once the task stopped, posts are dropped.
    /// </summary>
    void Post(Action action);
}
