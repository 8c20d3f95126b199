using System.Collections.Concurrent;
using OrleansStream.Api.Connectors;

namespace OrleansStream.Tests.AsyncIo;

/// <summary>Like the cluster tests' CollectSink, but one list per subtask, so that a test can check each subtask's order.</summary>
public sealed class SubtaskCollectSink<T>(string bag) : ISink<T>
{
    private static readonly ConcurrentDictionary<(string Bag, int Subtask), ConcurrentQueue<T>> Bags = new();

    public int? RequiredParallelism => null;

    public static IReadOnlyList<IReadOnlyCollection<T>> Contents(string bag)
        => Bags.Where(b => b.Key.Bag == bag).OrderBy(b => b.Key.Subtask).Select(b => (IReadOnlyCollection<T>)b.Value).ToList();

    public ISinkWriter<T> CreateWriter(SinkContext context) => new Writer(Bags.GetOrAdd((bag, context.SubtaskIndex), _ => new()));

    private sealed class Writer(ConcurrentQueue<T> target) : ISinkWriter<T>
    {
        public void Write(T value, long timestamp) => target.Enqueue(value);

        public void Flush() { }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
