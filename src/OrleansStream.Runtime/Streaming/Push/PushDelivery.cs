namespace OrleansStream.Runtime.Streaming.Push;

/// <summary>What a push delivery carries.</summary>
[GenerateSerializer]
public enum PushDeliveryKind : byte
{
    Item,
    Completed,
    Error,
}

/// <summary>
/// One item of one producer on one stream, numbered so that the consumer can restore send order,
/// drop duplicates of resent items and acknowledge what it has processed.
/// </summary>
[GenerateSerializer, Immutable, Alias("orleansstream.push-delivery")]
public sealed record PushDelivery
{
    [Id(0)] public required StreamId StreamId { get; init; }

    [Id(1)] public required Guid Producer { get; init; }

    [Id(2)] public required long Sequence { get; init; }

    [Id(3)] public required PushDeliveryKind Kind { get; init; }

    [Id(4)] public object? Item { get; init; }

    /// <summary>
    /// The producer's oldest unacknowledged sequence number: everything before it was processed. A
    /// consumer that has no state for the producer (a new activation) starts from here.
    /// </summary>
    [Id(5)] public long FirstUnacknowledged { get; init; }
}
