namespace OrleansStream.Operators;

/// <summary>
/// Runs posted work at once on the caller's thread: the default outside a task, for single-threaded
/// tests whose calls complete synchronously. A hosting task supplies its own mailbox.
/// </summary>
public sealed class InlineTaskMailbox : ITaskMailbox
{
    public static readonly InlineTaskMailbox Instance = new();

    private InlineTaskMailbox()
    {
    }

    public void Post(Action action) => action();
}
