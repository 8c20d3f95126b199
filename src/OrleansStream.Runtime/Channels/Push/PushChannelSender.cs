using Microsoft.Extensions.Logging;
using OrleansStream.Runtime.Tasks;

namespace OrleansStream.Runtime.Channels.Push;

/// <summary>
/// The sending end of one push channel: at most <see cref="PushChannelOptions.MaxInFlight"/> deliveries
/// in flight, each envelope kept until the receiver acknowledges it, and all unacknowledged ones resent
/// in order after a transport failure (a timeout, a lost silo). Orleans may run concurrent calls out of
/// order and drops requests that time out before they run, so neither order nor delivery is left to it.
/// </summary>
/// <remarks>
/// A receiver that moves to another silo (a live drain) refuses envelopes while it moves
/// (<see cref="TaskRelocatingException"/>); they are sent again every <see cref="RelocationRetryInterval"/> until its next
/// activation takes them, which is also what makes the move hold its producers back.
/// </remarks>
internal sealed class PushChannelSender(ITaskGrain receiver, TaskId receiverId, PushChannelOptions options, ILogger logger) : IChannelSender
{
    private static readonly TimeSpan RelocationRetryInterval = TimeSpan.FromMilliseconds(20);

    /// <summary>How long a receiver may take to move before the channel fails (the job gives up on the move well before).</summary>
    private static readonly TimeSpan RelocationPatience = TimeSpan.FromSeconds(60);

    private readonly Queue<StreamEnvelope> _unacknowledged = new();
    private readonly Queue<Task<long>> _inFlight = new();
    private long _acknowledged = -1;
    private Exception? _fault;

    public async Task SendAsync(StreamEnvelope envelope)
    {
        if (_fault is not null)
        {
            throw new InvalidOperationException($"The channel to {receiverId} failed earlier and accepts no more envelopes.", _fault);
        }

        while (_inFlight.Count >= options.MaxInFlight)
        {
            await CompleteOldestAsync();
        }

        _unacknowledged.Enqueue(envelope);
        _inFlight.Enqueue(receiver.DeliverAsync(envelope));
    }

    public async Task DrainAsync()
    {
        while (_inFlight.Count > 0)
        {
            await CompleteOldestAsync();
        }

        if (_unacknowledged.Count > 0)
        {
            await ResendAsync(new TimeoutException($"{_unacknowledged.Count} envelopes to {receiverId} were not acknowledged."));
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

        if (cause is TaskRelocatingException)
        {
            logger.LogDebug("Resending {Count} envelopes to {Task} once it has moved", _unacknowledged.Count, receiverId);
        }
        else
        {
            logger.LogWarning(cause, "Resending {Count} unacknowledged envelopes to {Task}", _unacknowledged.Count, receiverId);
        }

        var backoff = options.ResendBackoff;
        var relocationDeadline = DateTime.UtcNow + RelocationPatience;
        for (int attempt = 1; _unacknowledged.Count > 0; attempt++)
        {
            long before = _acknowledged;
            try
            {
                // One at a time: with a single call in flight, order holds; the receiver drops what it already has.
                foreach (var envelope in _unacknowledged.ToArray())
                {
                    Acknowledge(await receiver.DeliverAsync(envelope));
                }

                if (_acknowledged == before && _unacknowledged.Count > 0)
                {
                    throw new TimeoutException($"{receiverId} acknowledged none of {_unacknowledged.Count} resent envelopes.");
                }
            }
            catch (TaskRelocatingException) when (DateTime.UtcNow < relocationDeadline)
            {
                // Not a failure: the receiver's next activation takes them soon. It costs no attempt.
                attempt--;
                await Task.Delay(RelocationRetryInterval);
            }
            catch (Exception ex) when (IsTransportFailure(ex) && attempt <= options.MaxResendAttempts)
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

    /// <summary>Failures of the call, not of the receiver: worth a resend. Senders are task grains, so a client's own failures do not arise.</summary>
    private static bool IsTransportFailure(Exception ex)
        => ex is TimeoutException or SiloUnavailableException or OrleansMessageRejectionException or TaskRelocatingException;
}
