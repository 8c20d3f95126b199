namespace OrleansStream.Runtime.Streaming.Push;

/// <summary>The consumer side of a push stream, installed on a grain when it subscribes.</summary>
public interface IPushStreamConsumerExtension : IGrainExtension
{
    /// <summary>
    /// Delivers one item. Returns the highest sequence number of this producer that the consumer has
    /// processed in order: everything up to it may be forgotten by the producer.
    /// </summary>
    Task<long> DeliverAsync(PushDelivery delivery);
}
