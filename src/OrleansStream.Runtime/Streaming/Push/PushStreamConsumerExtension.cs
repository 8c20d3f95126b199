using Orleans.Streams;

namespace OrleansStream.Runtime.Streaming.Push;

/// <summary>
/// The receiving half of push streams on one grain: per producer it delivers items to the observer
/// strictly in sequence, parks early arrivals until the gap before them is filled, and drops
/// duplicates of items that were resent after their acknowledgement got lost.
/// </summary>
internal sealed class PushStreamConsumerExtension(GrainId grainId) : IPushStreamConsumerExtension
{
    private readonly Dictionary<StreamId, List<IObserverHandle>> _observers = new();
    private readonly Dictionary<(StreamId, Guid), ProducerState> _producers = new();

    public async Task<long> DeliverAsync(PushDelivery delivery)
    {
        var channel = (delivery.StreamId, delivery.Producer);
        if (!_producers.TryGetValue(channel, out var state))
        {
            state = new ProducerState { Next = delivery.FirstUnacknowledged };
            _producers.Add(channel, state);
        }

        if (delivery.FirstUnacknowledged > state.Next)
        {
            // The producer knows everything before this was processed (by an earlier activation).
            foreach (var stale in state.Early.Keys.Where(s => s < delivery.FirstUnacknowledged).ToList())
            {
                state.Early.Remove(stale);
            }

            state.Next = delivery.FirstUnacknowledged;
            await DrainEarlyAsync(state);
        }

        if (delivery.Sequence < state.Next)
        {
            return state.Next - 1;
        }

        if (delivery.Sequence > state.Next)
        {
            state.Early.TryAdd(delivery.Sequence, delivery);
            return state.Next - 1;
        }

        await DispatchAsync(delivery);
        state.Next++;
        await DrainEarlyAsync(state);
        return state.Next - 1;
    }

    private async Task DrainEarlyAsync(ProducerState state)
    {
        while (state.Early.Remove(state.Next, out var next))
        {
            await DispatchAsync(next);
            state.Next++;
        }
    }

    public StreamSubscriptionHandle<T> Attach<T>(StreamId streamId, string providerName, IAsyncObserver<T> observer)
    {
        if (!_observers.TryGetValue(streamId, out var list))
        {
            list = new List<IObserverHandle>();
            _observers.Add(streamId, list);
        }

        var handle = new PushStreamSubscriptionHandle<T>(this, streamId, providerName, observer, Guid.NewGuid());
        list.Add(handle);
        return handle;
    }

    public IList<StreamSubscriptionHandle<T>> HandlesOf<T>(StreamId streamId)
        => _observers.TryGetValue(streamId, out var list) ? list.OfType<StreamSubscriptionHandle<T>>().ToList() : new List<StreamSubscriptionHandle<T>>();

    internal void Detach(StreamId streamId, IObserverHandle handle)
    {
        if (_observers.TryGetValue(streamId, out var list))
        {
            list.Remove(handle);
            if (list.Count == 0)
            {
                _observers.Remove(streamId);
            }
        }
    }

    private async Task DispatchAsync(PushDelivery delivery)
    {
        if (!_observers.TryGetValue(delivery.StreamId, out var observers) || observers.Count == 0)
        {
            throw new InvalidOperationException($"Grain {grainId} received an item on stream {delivery.StreamId} but has not subscribed to it; subscribe in OnActivateAsync.");
        }

        foreach (var observer in observers.ToArray())
        {
            await observer.DeliverAsync(delivery);
        }
    }

    private sealed class ProducerState
    {
        public long Next;
        public readonly SortedDictionary<long, PushDelivery> Early = new();
    }
}

internal interface IObserverHandle
{
    Task DeliverAsync(PushDelivery delivery);
}
