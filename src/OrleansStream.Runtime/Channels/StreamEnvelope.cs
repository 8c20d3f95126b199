using OrleansStream.Runtime.Checkpoints;

namespace OrleansStream.Runtime.Channels;

[GenerateSerializer]
public enum EnvelopeKind : byte
{
    /// <summary>A batch of records encoded by the stream's record codec.</summary>
    Records,

    /// <summary>The sender's watermark advanced.</summary>
    Watermark,

    /// <summary>The sender will be silent for a while: leave it out of the watermark.</summary>
    Idle,

    /// <summary>The sender is sending again after being idle.</summary>
    Active,

    /// <summary>The sender has sent everything; nothing follows on this channel.</summary>
    EndOfInput,

    /// <summary>Checkpoint barrier <see cref="StreamEnvelope.Barrier"/>: what came before it belongs to the checkpoint, what follows does not.</summary>
    Barrier,

    /// <summary>
    /// The sender has switched the key groups of rescale step <see cref="StreamEnvelope.Step"/> to their new owners:
    /// no record of those key groups follows on this channel (live rescaling).
    /// </summary>
    KeyGroupHandover,
}

/// <summary>
/// What travels on a channel between two subtasks: a batch of serialized records or a control
/// event, in order with the data. Sender, attempt and a per-channel sequence number let the
/// receiver restore the channel's order, drop duplicates and notice lost envelopes instead of
/// trusting the transport: the channel's one sequencing layer.
/// </summary>
[GenerateSerializer, Immutable, Alias("orleansstream.envelope")]
public sealed class StreamEnvelope
{
    [Id(0)] public required EnvelopeKind Kind { get; init; }

    /// <summary>Which input of the receiving task this channel feeds.</summary>
    [Id(1)] public required int Input { get; init; }

    /// <summary>The sending subtask's index.</summary>
    [Id(2)] public required int Sender { get; init; }

    [Id(3)] public required int Attempt { get; init; }

    /// <summary>The envelope's place on its channel, from 0.</summary>
    [Id(4)] public required long Sequence { get; init; }

    [Id(5)] public int RecordCount { get; init; }

    [Id(6)] public byte[]? Payload { get; init; }

    [Id(7)] public long Watermark { get; init; }

    /// <summary>The barrier of a <see cref="EnvelopeKind.Barrier"/> envelope, with the checkpoint's options.</summary>
    [Id(9)] public CheckpointBarrier? Barrier { get; init; }

    /// <summary>The rescale step of a <see cref="EnvelopeKind.KeyGroupHandover"/> envelope.</summary>
    [Id(10)] public long Step { get; init; }
}
