using OrleansStream.Operators;

namespace OrleansStream.Runtime.Tasks;

/// <summary>
/// The task's mailbox (Flink's MailboxProcessor): the one door every piece of a task's work passes —
/// input envelopes, processing-time ticks, source reads, checkpoint triggers and aborts, commits, and
/// results that operators post from elsewhere (async I/O). A mail runs in a turn of the task grain;
/// then the one flush point sends what it produced and waits for room downstream and in operators that
/// hold input back; a failure goes to the task's one failure path.
/// </summary>
/// <remarks>
/// Grain calls and timers never run concurrently (the grain is not reentrant). Posted mails run on the
/// activation's scheduler between the grain's awaits, never while a mail runs: a posted result can go
/// while another mail waits for room downstream, which is what frees an async I/O operator's capacity
/// (Flink's mailbox yields to such mails the same way). Its output joins the send under way, in order.
/// </remarks>
internal sealed class TaskMailbox : ITaskMailbox
{
    private readonly TaskScheduler _scheduler;
    private readonly Func<ValueTask> _flush;
    private readonly Func<Exception, Task> _fail;
    private bool _closed;

    private TaskMailbox(TaskScheduler scheduler, Func<ValueTask> flush, Func<Exception, Task> fail)
    {
        _scheduler = scheduler;
        _flush = flush;
        _fail = fail;
    }

    /// <summary>The mailbox of the activation whose turn this is: call from the grain, never from the thread pool.</summary>
    /// <param name="flush">What follows every mail: send what it produced, wait for room.</param>
    /// <param name="fail">The task's failure path, for an exception of a mail or of the flush after it.</param>
    public static TaskMailbox OfCurrentActivation(Func<ValueTask> flush, Func<Exception, Task> fail) => new(TaskScheduler.Current, flush, fail);

    /// <summary>Runs <paramref name="mail"/>, then the flush. A failure fails the task and is not thrown to the caller.</summary>
    public Task RunAsync(Action mail) => RunAsync(static mail => mail(), mail);

    /// <summary>
    /// Runs <paramref name="mail"/> on <paramref name="state"/>, then the flush, without allocating when both
    /// complete at once (the path of every input envelope). A failure fails the task and is not thrown to the caller.
    /// </summary>
    public Task RunAsync<TState>(Action<TState> mail, TState state)
    {
        ValueTask flush;
        try
        {
            mail(state);
            flush = _flush();
        }
        catch (Exception ex)
        {
            return _fail(ex);
        }

        return flush.IsCompletedSuccessfully ? Task.CompletedTask : CompleteFlushAsync(flush);
    }

    /// <summary>Runs <paramref name="mail"/>, then the flush. A failure fails the task and is not thrown to the caller.</summary>
    public async Task RunAsync(Func<ValueTask> mail)
    {
        try
        {
            await mail();
            await _flush();
        }
        catch (Exception ex)
        {
            await _fail(ex);
        }
    }

    /// <summary>As <see cref="RunAsync(Func{ValueTask})"/>, and a failure is thrown to the caller too, who waits for the outcome (a commit the job waits for).</summary>
    public async Task RunObservedAsync(Func<ValueTask> mail)
    {
        try
        {
            await mail();
            await _flush();
        }
        catch (Exception ex)
        {
            await _fail(ex);
            throw;
        }
    }

    /// <summary>Runs <paramref name="action"/> as a mail in a later turn of the task; dropped once the mailbox is closed.</summary>
    public void Post(Action action)
        => Task.Factory.StartNew(() => _closed ? Task.CompletedTask : RunAsync(action), CancellationToken.None, TaskCreationOptions.DenyChildAttach, _scheduler).Unwrap().Ignore();

    private async Task CompleteFlushAsync(ValueTask flush)
    {
        try
        {
            await flush;
        }
        catch (Exception ex)
        {
            await _fail(ex);
        }
    }

    /// <summary>The task stopped: mails posted from now on are dropped.</summary>
    public void Close() => _closed = true;
}
