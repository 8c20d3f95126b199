using System.Collections.Concurrent;
using OrleansStream.Operators;

namespace OrleansStream.Tests.AsyncIo;

/// <summary>
/// A mailbox the test empties: posts from any thread queue up, and the test runs a given number of them on
/// its own thread, as the task grain runs them in its turns. Waiting for a count, not a time, keeps tests exact.
/// </summary>
internal sealed class ManualMailbox : ITaskMailbox
{
    private readonly ConcurrentQueue<Action> _posted = new();
    private readonly SemaphoreSlim _available = new(0);

    public int Queued => _posted.Count;

    public void Post(Action action)
    {
        _posted.Enqueue(action);
        _available.Release();
    }

    /// <summary>Runs the next <paramref name="count"/> posts, waiting for each to arrive.</summary>
    public async Task RunAsync(int count)
    {
        for (int i = 0; i < count; i++)
        {
            if (!await _available.WaitAsync(TimeSpan.FromSeconds(10)))
            {
                throw new TimeoutException($"Post {i + 1} of {count} never arrived.");
            }

            Assert.True(_posted.TryDequeue(out var action));
            action();
        }
    }
}
