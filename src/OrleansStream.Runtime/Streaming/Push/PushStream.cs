using Orleans.Streams;

namespace OrleansStream.Runtime.Streaming.Push;

/// <summary>
/// One stream as seen by one caller. A producer's sending state (sequence numbers, the window of
/// deliveries in flight) lives in this object, so a producer keeps the stream it got and reuses it.
/// </summary>
internal sealed class PushStream<T> : IAsyncStream<T>
{
    private readonly PushStreamProvider _provider;
    private PushStreamProducer? _producer;

    public PushStream(PushStreamProvider provider, StreamId streamId)
    {
        _provider = provider;
        StreamId = streamId;
    }

    public StreamId StreamId { get; }

    public string ProviderName => _provider.Name;

    public bool IsRewindable => false;

    private PushStreamProducer Producer => _producer ??= new PushStreamProducer(_provider, StreamId);

    public Task OnNextAsync(T item, StreamSequenceToken? token = null)
    {
        RejectToken(token);
        return Producer.SendAsync(PushDeliveryKind.Item, item);
    }

    public async Task OnNextBatchAsync(IEnumerable<T> batch, StreamSequenceToken? token = null)
    {
        RejectToken(token);
        foreach (var item in batch)
        {
            await Producer.SendAsync(PushDeliveryKind.Item, item);
        }
    }

    /// <summary>Delivers completion after everything sent before it, and waits until all of it is acknowledged.</summary>
    public async Task OnCompletedAsync()
    {
        await Producer.SendAsync(PushDeliveryKind.Completed, null);
        await Producer.DrainAsync();
    }

    public Task OnErrorAsync(Exception ex) => Producer.SendAsync(PushDeliveryKind.Error, ex);

    public Task<StreamSubscriptionHandle<T>> SubscribeAsync(IAsyncObserver<T> observer) => SubscribeAsync(observer, null);

    public Task<StreamSubscriptionHandle<T>> SubscribeAsync(IAsyncObserver<T> observer, StreamSequenceToken? token, string? filterData = null)
    {
        RejectToken(token);
        if (filterData is not null)
        {
            throw new NotSupportedException($"Push stream provider '{ProviderName}' does not support filter data.");
        }

        return Task.FromResult(_provider.CurrentConsumer(StreamId).Attach(StreamId, ProviderName, observer));
    }

    public Task<StreamSubscriptionHandle<T>> SubscribeAsync(IAsyncBatchObserver<T> observer) => SubscribeAsync(observer, null);

    public Task<StreamSubscriptionHandle<T>> SubscribeAsync(IAsyncBatchObserver<T> observer, StreamSequenceToken? token)
        => SubscribeAsync(new BatchObserverAdapter<T>(observer), token);

    public Task<IList<StreamSubscriptionHandle<T>>> GetAllSubscriptionHandles()
        => Task.FromResult(_provider.CurrentConsumer(StreamId).HandlesOf<T>(StreamId));

    public bool Equals(IAsyncStream<T>? other) => other is not null && StreamId.Equals(other.StreamId) && ProviderName == other.ProviderName;

    public override bool Equals(object? obj) => obj is IAsyncStream<T> other && Equals(other);

    public override int GetHashCode() => HashCode.Combine(StreamId, ProviderName);

    public int CompareTo(IAsyncStream<T>? other) => other is null ? 1 : StreamId.CompareTo(other.StreamId);

    public override string ToString() => $"{ProviderName}/{StreamId}";

    private void RejectToken(StreamSequenceToken? token)
    {
        if (token is not null)
        {
            throw new NotSupportedException($"Push stream provider '{ProviderName}' is not rewindable: sequence tokens are not supported.");
        }
    }

    private sealed class BatchObserverAdapter<TItem>(IAsyncBatchObserver<TItem> inner) : IAsyncObserver<TItem>
    {
        public Task OnNextAsync(TItem item, StreamSequenceToken? token = null)
            => inner.OnNextAsync(new[] { new SequentialItem<TItem>(item, token!) });

        public Task OnCompletedAsync() => inner.OnCompletedAsync();

        public Task OnErrorAsync(Exception ex) => inner.OnErrorAsync(ex);
    }
}
