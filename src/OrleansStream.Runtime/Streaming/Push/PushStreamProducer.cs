using Microsoft.Extensions.Logging;

namespace OrleansStream.Runtime.Streaming.Push;

/// <summary>
/// The sending half of one producer on one stream: at most <see cref="PushStreamOptions.MaxInFlight"/>
/// deliveries in flight, each kept until the consumer acknowledges it, and all unacknowledged ones
/// resent in order after a transport failure (a timeout, a lost silo). Orleans may run concurrent
/// calls out of order and drops requests that time out before they run, so neither order nor
/// delivery is left to the transport.
/// </summary>
internal sealed class PushStreamProducer
{
    private readonly PushStreamProvider _provider;
    private readonly StreamId _streamId;
    private readonly Guid _producerId = Guid.NewGuid();
    private readonly Queue<PushDelivery> _unacknowledged = new();
    private readonly Queue<Task<long>> _inFlight = new();
    private IPushStreamConsumerExtension? _consumer;
    private long _nextSequence;
    private long _acknowledged = -1;
    private Exception? _fault;

    public PushStreamProducer(PushStreamProvider provider, StreamId streamId)
    {
        _provider = provider;
        _streamId = streamId;
    }

    private IPushStreamConsumerExtension Consumer => _consumer ??= _provider.ResolveConsumer(_streamId);

    public async Task SendAsync(PushDeliveryKind kind, object? item)
    {
        if (_fault is not null)
        {
            throw new InvalidOperationException($"Push stream {_streamId} failed earlier and accepts no more items.", _fault);
        }

        while (_inFlight.Count >= _provider.Options.MaxInFlight)
        {
            await CompleteOldestAsync();
        }

        var delivery = new PushDelivery
        {
            StreamId = _streamId,
            Producer = _producerId,
            Sequence = _nextSequence++,
            Kind = kind,
            Item = item,
            FirstUnacknowledged = _acknowledged + 1,
        };
        _unacknowledged.Enqueue(delivery);
        _inFlight.Enqueue(Consumer.DeliverAsync(delivery));
    }

    /// <summary>Waits until the consumer has acknowledged everything sent so far.</summary>
    public async Task DrainAsync()
    {
        while (_inFlight.Count > 0)
        {
            await CompleteOldestAsync();
        }

        if (_unacknowledged.Count > 0)
        {
            await ResendAsync(new TimeoutException($"{_unacknowledged.Count} deliveries on {_streamId} were not acknowledged."));
        }
    }

    private async Task CompleteOldestAsync()
    {
        var call = _inFlight.Dequeue();
        try
        {
            Acknowledge(await call);
        }
        catch (Exception ex) when (IsTransportFailure(ex))
        {
            await ResendAsync(ex);
        }
        catch (Exception ex)
        {
            _fault = ex;
            throw;
        }
    }

    private async Task ResendAsync(Exception cause)
    {
        // Let every other call settle first so that resends are not overtaken by stale ones.
        while (_inFlight.TryDequeue(out var call))
        {
            try
            {
                Acknowledge(await call);
            }
            catch (Exception ex) when (IsTransportFailure(ex))
            {
            }
            catch (Exception ex)
            {
                _fault = ex;
                throw;
            }
        }

        _provider.Logger.LogWarning(cause, "Resending {Count} unacknowledged deliveries on push stream {StreamId}", _unacknowledged.Count, _streamId);
        var backoff = _provider.Options.ResendBackoff;
        for (int attempt = 1; _unacknowledged.Count > 0; attempt++)
        {
            long before = _acknowledged;
            try
            {
                // One at a time: with a single call in flight, order holds. Each copy carries the
                // current acknowledgement, so a new consumer activation knows where to start.
                foreach (var delivery in _unacknowledged.ToArray())
                {
                    Acknowledge(await Consumer.DeliverAsync(delivery with { FirstUnacknowledged = _acknowledged + 1 }));
                }

                if (_acknowledged == before && _unacknowledged.Count > 0)
                {
                    throw new TimeoutException($"The consumer of push stream {_streamId} acknowledged none of {_unacknowledged.Count} resent deliveries.");
                }
            }
            catch (Exception ex) when (IsTransportFailure(ex) && attempt <= _provider.Options.MaxResendAttempts)
            {
                await Task.Delay(backoff);
                backoff *= 2;
            }
            catch (Exception ex)
            {
                _fault = ex;
                throw;
            }
        }
    }

    private void Acknowledge(long sequence)
    {
        if (sequence > _acknowledged)
        {
            _acknowledged = sequence;
        }

        while (_unacknowledged.TryPeek(out var oldest) && oldest.Sequence <= _acknowledged)
        {
            _unacknowledged.Dequeue();
        }
    }

    private static bool IsTransportFailure(Exception ex)
        => ex is TimeoutException or SiloUnavailableException or OrleansMessageRejectionException or ClientNotAvailableException;
}
