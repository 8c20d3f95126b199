namespace OrleansStream.Connectors;

/// <summary>A destination for records. Each sink subtask writes through its own writer.</summary>
public interface ISink<in T>
{
    /// <summary>A parallelism the sink requires (1 for a single merged file), or null for any.</summary>
    int? RequiredParallelism { get; }

    ISinkWriter<T> CreateWriter(SinkContext context);
}

/// <summary>What a sink subtask knows when it opens.</summary>
public sealed record SinkContext(string JobId, int SubtaskIndex, int Parallelism);

/// <summary>Writes one subtask's records. Writes are buffered; <see cref="Flush"/> makes them visible.</summary>
public interface ISinkWriter<in T> : IAsyncDisposable
{
    void Write(T value, long timestamp);

    void Flush();
}
