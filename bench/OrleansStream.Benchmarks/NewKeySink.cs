using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using OrleansStream.Api.Connectors;

namespace OrleansStream.Benchmarks;

/// <summary>
/// Takes the rolling counts of <see cref="KeyedCountJob"/> and counts the ones equal to 1, each of
/// which is a key entering the state: the benchmark reads the count (per run, in this process) to know
/// when the state holds every key.
/// </summary>
internal sealed class NewKeySink(string run) : ISink<long>
{
    private static readonly ConcurrentDictionary<string, StrongBox<long>> Counts = new();

    public int? RequiredParallelism => null;

    public static long NewKeys(string run) => Interlocked.Read(ref CounterOf(run).Value);

    public ISinkWriter<long> CreateWriter(SinkContext context) => new Writer(CounterOf(run));

    private static StrongBox<long> CounterOf(string run) => Counts.GetOrAdd(run, _ => new StrongBox<long>());

    private sealed class Writer(StrongBox<long> counter) : ISinkWriter<long>
    {
        public void Write(long count, long timestamp)
        {
            if (count == 1)
            {
                Interlocked.Increment(ref counter.Value);
            }
        }

        public void Flush()
        {
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
