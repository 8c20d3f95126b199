using OrleansStream.Api.Connectors;

namespace OrleansStream.Tests.Connectors;

/// <summary>Keeps everything a source reader emits with the timestamp it came with (null when none).</summary>
internal sealed class TimestampedOutput<T> : ISourceOutput<T>
{
    public List<(T Value, long? Timestamp)> Values { get; } = [];

    public void Collect(T value) => Values.Add((value, null));

    public void Collect(T value, long timestamp) => Values.Add((value, timestamp));
}
