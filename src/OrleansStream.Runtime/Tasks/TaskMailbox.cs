using OrleansStream.Operators;

namespace OrleansStream.Runtime.Tasks;

/// <summary>
/// The task grain's mailbox: posted work is queued on the activation's task scheduler, which runs it
/// between the grain's awaits but never concurrently with them (Orleans' single-threaded activation
/// model; non-reentrancy is per message, not per queued task). So an operator's completion handler
/// runs as if in the task's turn, even while a call such as OnNextAsync awaits capacity.
/// </summary>
internal sealed class TaskMailbox(TaskScheduler scheduler, Func<Action, Task> run) : ITaskMailbox
{
    /// <summary>Captures the scheduler of the grain's current turn: call from the grain, never from the thread pool.</summary>
    public static TaskMailbox OfCurrentActivation(Func<Action, Task> run) => new(TaskScheduler.Current, run);

    public void Post(Action action)
        => Task.Factory.StartNew(() => run(action), CancellationToken.None, TaskCreationOptions.DenyChildAttach, scheduler).Unwrap().Ignore();
}
