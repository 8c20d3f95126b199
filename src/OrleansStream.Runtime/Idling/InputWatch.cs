using OrleansStream.Api.Connectors;
using OrleansStream.Graph;

namespace OrleansStream.Runtime.Idling;

/// <summary>
/// The input watchers of an idle job's sources, one per source vertex (<see cref="IWatchableSource"/>): tells when there
/// is input beyond what a source subtask had read as the job went idle. Each call is bounded by <see cref="CallTimeout"/>,
/// so that a source's server that hangs cannot hold the job grain.
/// </summary>
internal sealed class InputWatch(JobGraph graph) : IAsyncDisposable
{
    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(10);

    private readonly Dictionary<int, SourceWatcher> _watchers = graph.WatchableSources()
        .ToDictionary(s => s.Vertex.Id, s => new SourceWatcher(s.Vertex.Head.Name, s.Source.CreateInputWatcher()));

    /// <summary>The name of a source with input beyond one of <paramref name="marks"/>, or null when none has.</summary>
    public async Task<string?> ArrivedAsync(IReadOnlyList<SourceInputMark> marks)
    {
        var asked = marks
            .Select(m => (Watcher: _watchers.GetValueOrDefault(m.VertexId), m.Mark))
            .Where(m => m.Watcher is not null)
            .Select(async m => await m.Watcher!.CallAsync(token => m.Watcher.Watcher.HasInputSinceAsync(m.Mark, token)) ? m.Watcher.Name : null);
        return (await Task.WhenAll(asked)).FirstOrDefault(name => name is not null);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var watcher in _watchers.Values)
        {
            await watcher.Watcher.DisposeAsync();
        }
    }

    private sealed record SourceWatcher(string Name, ISourceInputWatcher Watcher)
    {
        /// <summary>Runs a call of the watcher within the timeout; its failure names the source.</summary>
        public async Task<T> CallAsync<T>(Func<CancellationToken, Task<T>> call)
        {
            using var timeout = new CancellationTokenSource(CallTimeout);
            try
            {
                return await call(timeout.Token).WaitAsync(timeout.Token);
            }
            catch (Exception ex)
            {
                string reason = timeout.IsCancellationRequested ? $"no answer within {CallTimeout.TotalSeconds:0} s" : ex.GetBaseException().Message;
                throw new IOException($"The input watcher of source '{Name}' failed: {reason}", ex);
            }
        }
    }
}
