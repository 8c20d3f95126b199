using OrleansStream.Runtime.Checkpoints;

namespace OrleansStream.Runtime.Channels;

/// <summary>
/// The sending end of one channel (one edge, one target subtask): numbers its envelopes, queues them
/// while a turn runs the chain, then sends them in order on the transport; sending waits when the
/// transport's window is full, which is how a slow consumer slows its producer.
/// </summary>
internal sealed class OutputChannel(IChannelSender sender, int input, int senderSubtask, int attempt)
{
    private readonly Queue<StreamEnvelope> _pending = new();
    private long _nextSequence;
    private Task _sending = Task.CompletedTask;

    public int Input => input;

    /// <summary>The sequence number of the channel's next envelope: a task that moves to another silo goes on from it.</summary>
    public long NextSequence
    {
        get => _nextSequence;
        set => _nextSequence = _pending.Count == 0 ? value : throw new InvalidOperationException("A channel with envelopes queued cannot be renumbered.");
    }

    public bool HasPending => _pending.Count > 0;

    /// <summary>True while a send is under way, even when the queue is already empty: its last envelope is still on its way.</summary>
    public bool IsSending => !_sending.IsCompleted;

    public void EnqueueRecords(byte[] payload, int count) => Enqueue(EnvelopeKind.Records, payload: payload, recordCount: count);

    public void EnqueueControl(EnvelopeKind kind, long watermark = 0) => Enqueue(kind, watermark: watermark);

    public void EnqueueHandover(long step) => Enqueue(EnvelopeKind.KeyGroupHandover, step: step);

    public void EnqueueBarrier(CheckpointBarrier barrier) => Enqueue(EnvelopeKind.Barrier, barrier: barrier);

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

    /// <summary>Waits until the receiver has processed everything sent, where the transport can tell.</summary>
    public Task DrainAsync() => sender.DrainAsync();

    private async Task SendQueuedAsync()
    {
        while (_pending.TryDequeue(out var envelope))
        {
            await sender.SendAsync(envelope);
        }
    }

    /// <summary>Queues the channel's next envelope, numbered in order.</summary>
    private void Enqueue(EnvelopeKind kind, long watermark = 0, long step = 0, CheckpointBarrier? barrier = null, byte[]? payload = null, int recordCount = 0)
        => _pending.Enqueue(new StreamEnvelope
        {
            Kind = kind,
            Input = input,
            Sender = senderSubtask,
            Attempt = attempt,
            Sequence = _nextSequence++,
            RecordCount = recordCount,
            Payload = payload,
            Watermark = watermark,
            Step = step,
            Barrier = barrier,
        });
}
