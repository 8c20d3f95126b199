using System.Collections.Concurrent;
using OrleansStream.Api.Connectors;

namespace OrleansStream.Tests.Cluster;

/// <summary>
/// A sink that puts records into a process-wide bag named by the test. The test cluster's silos run
/// in the test process, so the test reads what every subtask wrote.
/// </summary>
public sealed class CollectSink<T>(string bag) : ISink<T>
{
    private static readonly ConcurrentDictionary<string, ConcurrentQueue<T>> Bags = new();

    public int? RequiredParallelism => null;

    public static IReadOnlyCollection<T> Contents(string bag) => Bags.GetOrAdd(bag, _ => new());

    public ISinkWriter<T> CreateWriter(SinkContext context) => new Writer(Bags.GetOrAdd(bag, _ => new()));

    private sealed class Writer(ConcurrentQueue<T> target) : ISinkWriter<T>
    {
        public void Write(T value, long timestamp) => target.Enqueue(value);

        public void Flush() { }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
