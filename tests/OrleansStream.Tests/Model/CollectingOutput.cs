using OrleansStream.Operators;

namespace OrleansStream.Tests.Model;

/// <summary>Captures what an operator emits, in order.</summary>
internal sealed class CollectingOutput<T> : IOutput<T>
{
    public List<(T Value, long Timestamp)> Records { get; } = new();

    public List<long> Watermarks { get; } = new();

    public List<bool> IdleChanges { get; } = new();

    public List<T> Values => Records.Select(r => r.Value).ToList();

    public void Collect(T value, long timestamp) => Records.Add((value, timestamp));

    public void EmitWatermark(long watermark) => Watermarks.Add(watermark);

    public void EmitIdle(bool idle) => IdleChanges.Add(idle);

    public static OperatorContext Context(TimeProvider? clock = null)
        => new("job", 1, "op", 0, 1, 128, clock ?? TimeProvider.System);
}

internal sealed class ManualClock(long now) : TimeProvider
{
    public long Now { get; set; } = now;

    public override DateTimeOffset GetUtcNow() => DateTimeOffset.FromUnixTimeMilliseconds(Now);
}
