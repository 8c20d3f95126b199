using OrleansStream.Api.Connectors;
using OrleansStream.Graph;

namespace OrleansStream.Runtime.Idling;

/// <summary>
/// The input watchers of an idle job's sources, one per source vertex (<see cref="IWatchableSource"/>): marks their
/// input as the job goes idle, and tells when input arrived after the marks. Each call is bounded by
/// <see cref="CallTimeout"/>, so that a source's server that hangs cannot hold the job grain.
/// </summary>
internal sealed class InputWatch(JobGraph graph) : IAsyncDisposable
{
    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(10);

    private readonly IReadOnlyList<SourceWatcher> _watchers = graph.WatchableSources()
        .Select(s => new SourceWatcher(s.Vertex.Id, s.Vertex.Head.Name, s.Source.CreateInputWatcher()))
        .ToList();

    /// <summary>The marks of every source's input now, by source vertex id.</summary>
    public async Task<Dictionary<int, string>> MarkAsync()
    {
        var marks = await Task.WhenAll(_watchers.Select(async w => (w.VertexId, Mark: await w.CallAsync(w.Watcher.MarkAsync))));
        return marks.ToDictionary(m => m.VertexId, m => m.Mark);
    }

    /// <summary>The name of a source that has input after its mark in <paramref name="marks"/>, or null when none has.</summary>
    public async Task<string?> ArrivedAsync(IReadOnlyDictionary<int, string> marks)
    {
        var arrived = await Task.WhenAll(_watchers.Select(w =>

            // A source without a mark (the job's sources changed) is read from its checkpointed position anyway.
            marks.TryGetValue(w.VertexId, out string? mark) ? w.CallAsync(token => w.Watcher.HasInputSinceAsync(mark, token)) : Task.FromResult(true)));
        return _watchers.Zip(arrived).FirstOrDefault(p => p.Second).First?.Name;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var watcher in _watchers)
        {
            await watcher.Watcher.DisposeAsync();
        }
    }

    private sealed record SourceWatcher(int VertexId, string Name, ISourceInputWatcher Watcher)
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
