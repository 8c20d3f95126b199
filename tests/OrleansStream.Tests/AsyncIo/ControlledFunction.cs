using OrleansStream.Functions;

namespace OrleansStream.Tests.AsyncIo;

/// <summary>
/// An async function whose calls complete when the test says so, in any order; it counts how many run at
/// once. Results are "r{input}". A timeout takes the interface's default: the job fails.
/// </summary>
internal class ControlledFunction : IAsyncFunction<int, string>
{
    private readonly Dictionary<int, TaskCompletionSource<IReadOnlyCollection<string>>> _calls = new();

    public List<int> Started { get; } = new();

    public int Running { get; private set; }

    public int MaxRunning { get; private set; }

    public ValueTask<IReadOnlyCollection<string>> InvokeAsync(int input, CancellationToken cancellationToken)
    {
        var call = new TaskCompletionSource<IReadOnlyCollection<string>>();
        _calls[input] = call;
        Started.Add(input);
        MaxRunning = Math.Max(MaxRunning, ++Running);
        return new ValueTask<IReadOnlyCollection<string>>(call.Task);
    }

    public void Complete(int input) => Finish(input).SetResult(new[] { $"r{input}" });

    public void Fail(int input, Exception error) => Finish(input).SetException(error);

    private TaskCompletionSource<IReadOnlyCollection<string>> Finish(int input)
    {
        Running--;
        var call = _calls[input];
        _calls.Remove(input);
        return call;
    }
}

/// <summary>The same function with a fallback for calls that time out.</summary>
internal sealed class FallbackFunction : ControlledFunction, IAsyncFunction<int, string>
{
    public IReadOnlyCollection<string> Timeout(int input) => new[] { $"fallback{input}" };
}
