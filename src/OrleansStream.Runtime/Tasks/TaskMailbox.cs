using System.Diagnostics;
using OrleansStream.Operators;

namespace OrleansStream.Runtime.Tasks;

/// <summary>
/// The task's mailbox (Flink's MailboxProcessor): the one door every piece of a task's work passes —
/// input envelopes, processing-time ticks, source reads, checkpoint triggers and aborts, commits, and
/// results that operators post from elsewhere (async I/O). A mail runs in a turn of the task grain;
/// then the one flush point sends what it produced, waits for room downstream and in operators that
/// hold input back, and finishes the task once its input has ended; a failure goes to the task's one
/// failure path.
/// </summary>
/// <remarks>
/// The mails of grain calls and timers never overlap: the grain is not reentrant (only a release
/// interleaves, and it stops the task). A posted mail runs on the activation's scheduler at an await of
/// whatever mail is waiting, never in the middle of one: it is how an async I/O result arrives while a
/// mail waits for that operator's capacity (Flink's mailbox yields to such mails the same way). A posted
/// mail's output joins the send under way, in order; it does not wait for room or finish the task itself,
/// which leaves both to the call or timer that is waiting, so that nothing else runs while a task finishes.
/// </remarks>
internal sealed class TaskMailbox : ITaskMailbox
{
    private readonly TaskScheduler _scheduler;
    private readonly Func<ValueTask> _flush;
    private readonly Func<Task> _send;
    private readonly Func<Exception, Task> _fail;
    private readonly TaskTime? _time;
    private bool _closed;

    private TaskMailbox(TaskScheduler scheduler, Func<ValueTask> flush, Func<Task> send, Func<Exception, Task> fail, TaskTime? time)
    {
        _scheduler = scheduler;
        _flush = flush;
        _send = send;
        _fail = fail;
        _time = time;
    }

    /// <summary>The mailbox of the activation whose turn this is: call from the grain, never from the thread pool.</summary>
    /// <param name="flush">What follows every mail of a call or timer: send what it produced, wait for room, finish once the input ended.</param>
    /// <param name="send">What follows a posted mail: send what it produced.</param>
    /// <param name="fail">The task's failure path, for an exception of a mail or of what follows it.</param>
    /// <param name="time">Where the task's busy and backpressured time is counted, if anywhere.</param>
    public static TaskMailbox OfCurrentActivation(Func<ValueTask> flush, Func<Task> send, Func<Exception, Task> fail, TaskTime? time = null)
        => new(TaskScheduler.Current, flush, send, fail, time);

    /// <summary>Runs <paramref name="mail"/>, then the flush. A failure fails the task and is not thrown to the caller.</summary>
    public Task RunAsync(Action mail) => RunAsync(static mail => mail(), mail);

    /// <summary>
    /// Runs <paramref name="mail"/> on <paramref name="state"/>, then the flush, without allocating when both
    /// complete at once (the path of every input envelope). A failure fails the task and is not thrown to the caller.
    /// </summary>
    public Task RunAsync<TState>(Action<TState> mail, TState state)
    {
        long started = Stopwatch.GetTimestamp();
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
        finally
        {
            _time?.AddBusy(Stopwatch.GetTimestamp() - started);
        }

        return flush.IsCompletedSuccessfully ? Task.CompletedTask : CompleteFlushAsync(flush);
    }

    /// <summary>Runs <paramref name="mail"/>, then the flush. A failure fails the task and is not thrown to the caller.</summary>
    public Task RunAsync(Func<ValueTask> mail) => RunAsync(mail, observed: false);

    /// <summary>As <see cref="RunAsync(Func{ValueTask})"/>, and a failure is thrown to the caller too, who waits for the outcome (a commit the job waits for).</summary>
    public Task RunObservedAsync(Func<ValueTask> mail) => RunAsync(mail, observed: true);

    private async Task RunAsync(Func<ValueTask> mail, bool observed)
    {
        try
        {
            long started = Stopwatch.GetTimestamp();
            await mail();
            long ran = Stopwatch.GetTimestamp();
            _time?.AddBusy(ran - started);
            await _flush();
            _time?.AddBackpressured(Stopwatch.GetTimestamp() - ran);
        }
        catch (Exception ex)
        {
            await _fail(ex);
            if (observed)
            {
                throw;
            }
        }
    }

    /// <summary>Runs <paramref name="action"/> as a mail in a later turn of the task, then sends what it produced; dropped once the mailbox is closed.</summary>
    public void Post(Action action)
        => Task.Factory.StartNew(() => _closed ? Task.CompletedTask : RunPostedAsync(action), CancellationToken.None, TaskCreationOptions.DenyChildAttach, _scheduler).Unwrap().Ignore();

    private async Task RunPostedAsync(Action action)
    {
        try
        {
            long started = Stopwatch.GetTimestamp();
            action();
            _time?.AddBusy(Stopwatch.GetTimestamp() - started);
            await _send();
        }
        catch (Exception ex)
        {
            await _fail(ex);
        }
    }

    private async Task CompleteFlushAsync(ValueTask flush)
    {
        long waiting = Stopwatch.GetTimestamp();
        try
        {
            await flush;
            _time?.AddBackpressured(Stopwatch.GetTimestamp() - waiting);
        }
        catch (Exception ex)
        {
            await _fail(ex);
        }
    }

    /// <summary>The task stopped: mails posted from now on are dropped.</summary>
    public void Close() => _closed = true;
}
