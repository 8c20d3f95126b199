namespace OrleansStream.Api.Connectors;

/// <summary>Writes one subtask's records. Writes are buffered; <see cref="Flush"/> makes them visible.</summary>
public interface ISinkWriter<in T> : IAsyncDisposable
{
    void Write(T value, long timestamp);

    void Flush();
}
