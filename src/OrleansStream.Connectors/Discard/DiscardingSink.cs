using OrleansStream.Api.Connectors;

namespace OrleansStream.Connectors.Discard;

/// <summary>Drops every record (Flink's DiscardingSink): for benchmarks and for jobs run for their side effects.</summary>
public sealed class DiscardingSink<T> : ISink<T>
{
    public int? RequiredParallelism => null;

    public ISinkWriter<T> CreateWriter(SinkContext context) => Writer.Instance;

    private sealed class Writer : ISinkWriter<T>
    {
        public static readonly Writer Instance = new();

        public void Write(T value, long timestamp) { }

        public void Flush() { }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
