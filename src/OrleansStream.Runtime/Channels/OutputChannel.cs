using Orleans.Streams;

namespace OrleansStream.Runtime.Channels;

/// <summary>
/// The sending end of one channel (one edge, one target subtask). Envelopes are queued while a
/// grain turn runs the chain synchronously, then sent in order; sending waits when the stream's
/// window is full, which is how a slow consumer slows its producer.
/// </summary>
internal sealed class OutputChannel(IAsyncStream<StreamEnvelope> stream, int input, int sender, int attempt)
{
    private readonly Queue<StreamEnvelope> _pending = new();
    private long _nextSequence;
    private Task _sending = Task.CompletedTask;

    public bool HasPending => _pending.Count > 0;

    /// <summary>True while a send is under way, even when the queue is already empty: its last envelope is still on its way.</summary>
    public bool IsSending => !_sending.IsCompleted;

    public void EnqueueRecords(byte[] payload, int count)
        => _pending.Enqueue(new StreamEnvelope
        {
            Kind = EnvelopeKind.Records,
            Input = input,
            Sender = sender,
            Attempt = attempt,
            Sequence = _nextSequence++,
            RecordCount = count,
            Payload = payload,
        });

    public void EnqueueControl(EnvelopeKind kind, long watermark = 0)
        => _pending.Enqueue(new StreamEnvelope
        {
            Kind = kind,
            Input = input,
            Sender = sender,
            Attempt = attempt,
            Sequence = _nextSequence++,
            Watermark = watermark,
        });

    public void EnqueueBarrier(long checkpointId)
        => _pending.Enqueue(new StreamEnvelope
        {
            Kind = EnvelopeKind.Barrier,
            Input = input,
            Sender = sender,
            Attempt = attempt,
            Sequence = _nextSequence++,
            CheckpointId = checkpointId,
        });

    /// <summary>
    /// Sends what is queued, one envelope at a time. A second caller while a send runs (work posted to the
    /// task's mailbox, interleaved at an await) joins it instead of sending concurrently, which could reorder the channel.
    /// </summary>
    public Task SendPendingAsync()
    {
        if (_sending.IsCompleted)
        {
            _sending = SendQueuedAsync();
        }

        return _sending;
    }

    private async Task SendQueuedAsync()
    {
        while (_pending.TryDequeue(out var envelope))
        {
            await stream.OnNextAsync(envelope);
        }
    }

    /// <summary>Waits until everything sent has been delivered (where the provider can tell).</summary>
    public Task CompleteAsync() => stream.OnCompletedAsync();
}
