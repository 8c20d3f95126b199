using OrleansStream.Api.Connectors;

namespace OrleansStream.Tests.Connectors;

/// <summary>Keeps everything a source reader emits, in order.</summary>
internal sealed class CollectingOutput<T> : ISourceOutput<T>
{
    public List<T> Values { get; } = [];

    public void Collect(T value) => Values.Add(value);

    public void Collect(T value, long timestamp) => Values.Add(value);
}
