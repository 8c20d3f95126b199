using Orleans.Streams;

namespace OrleansStream.Runtime.Streaming.Push;

/// <summary>A consumer's subscription to a push stream; lives as long as the consumer's activation.</summary>
internal sealed class PushStreamSubscriptionHandle<T> : StreamSubscriptionHandle<T>, IObserverHandle
{
    private readonly PushStreamConsumerExtension _extension;
    private IAsyncObserver<T> _observer;

    public PushStreamSubscriptionHandle(PushStreamConsumerExtension extension, StreamId streamId, string providerName, IAsyncObserver<T> observer, Guid handleId)
    {
        _extension = extension;
        StreamId = streamId;
        ProviderName = providerName;
        _observer = observer;
        HandleId = handleId;
    }

    public override Guid HandleId { get; }

    public override string ProviderName { get; }

    public override StreamId StreamId { get; }

    public Task DeliverAsync(PushDelivery delivery) => delivery.Kind switch
    {
        PushDeliveryKind.Item => _observer.OnNextAsync((T)delivery.Item!),
        PushDeliveryKind.Completed => _observer.OnCompletedAsync(),
        _ => _observer.OnErrorAsync(delivery.Item as Exception ?? new Exception($"Producer reported an error on {StreamId}.")),
    };

    public override bool Equals(StreamSubscriptionHandle<T>? other) => other is PushStreamSubscriptionHandle<T> handle && handle.HandleId == HandleId;

    public override bool Equals(object? obj) => obj is StreamSubscriptionHandle<T> other && Equals(other);

    public override int GetHashCode() => HandleId.GetHashCode();

    public override Task<StreamSubscriptionHandle<T>> ResumeAsync(IAsyncObserver<T> observer, StreamSequenceToken? token = null)
    {
        if (token is not null)
        {
            throw new NotSupportedException($"Push stream provider '{ProviderName}' is not rewindable.");
        }

        _observer = observer;
        return Task.FromResult<StreamSubscriptionHandle<T>>(this);
    }

    public override Task<StreamSubscriptionHandle<T>> ResumeAsync(IAsyncBatchObserver<T> observer, StreamSequenceToken? token = null)
        => throw new NotSupportedException("Resume a push stream subscription with an IAsyncObserver.");

    public override Task UnsubscribeAsync()
    {
        _extension.Detach(StreamId, this);
        return Task.CompletedTask;
    }
}
