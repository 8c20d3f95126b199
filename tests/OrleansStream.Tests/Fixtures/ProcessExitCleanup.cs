using System.Collections.Concurrent;

namespace OrleansStream.Tests.Fixtures;

/// <summary>
/// Stops what the fixtures started when the test host exits without disposing them (an aborted run,
/// a fixture whose disposal never came), so no server outlives the tests.
/// </summary>
internal static class ProcessExitCleanup
{
    private static readonly ConcurrentDictionary<long, Action> Actions = new();
    private static long _next;

    static ProcessExitCleanup()
    {
        AppDomain.CurrentDomain.ProcessExit += (_, _) => RunAll();
    }

    /// <summary>Runs <paramref name="cleanup"/> at process exit unless the returned handle is disposed first.</summary>
    public static IDisposable Register(Action cleanup)
    {
        var id = Interlocked.Increment(ref _next);
        Actions[id] = cleanup;
        return new Registration(id);
    }

    private static void RunAll()
    {
        foreach (var id in Actions.Keys)
        {
            if (Actions.TryRemove(id, out var cleanup))
            {
                try
                {
                    cleanup();
                }
                catch (Exception)
                {
                    // Best effort while the process goes down; nothing is left to report to.
                }
            }
        }
    }

    private sealed class Registration(long id) : IDisposable
    {
        public void Dispose() => Actions.TryRemove(id, out _);
    }
}
