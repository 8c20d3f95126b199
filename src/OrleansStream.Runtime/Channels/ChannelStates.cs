namespace OrleansStream.Runtime.Channels;

/// <summary>
/// Where a task's input channels stand, carried to the task's next activation when it moves to another silo: the
/// sequencing, watermarks and markers of each channel, and the envelopes it took (and acknowledged) but has not
/// processed yet. A moved task goes on exactly where this one stopped, and its senders do not notice.
/// </summary>
[GenerateSerializer, Immutable, Alias("orleansstream.input-gate-state")]
internal sealed record InputGateState(
    [property: Id(0)] IReadOnlyList<InputChannelState> Channels,
    [property: Id(1)] long LastCompletedCheckpoint,
    [property: Id(2)] long HandoverStep);

/// <summary>One input channel (input <see cref="Input"/> from subtask <see cref="Sender"/>) as it stands.</summary>
[GenerateSerializer, Immutable, Alias("orleansstream.input-channel-state")]
internal sealed record InputChannelState(
    [property: Id(0)] int Input,
    [property: Id(1)] int Sender,
    [property: Id(2)] long ExpectedSequence,
    [property: Id(3)] bool Ended,
    [property: Id(4)] long Watermark,
    [property: Id(5)] bool Idle,
    [property: Id(6)] long HandedOver,
    [property: Id(7)] IReadOnlyList<StreamEnvelope> Held);

/// <summary>The next sequence number of the channel to subtask <see cref="TargetSubtask"/> of vertex <see cref="TargetVertex"/>, input <see cref="Input"/>.</summary>
[GenerateSerializer, Immutable, Alias("orleansstream.output-channel-state")]
internal readonly record struct OutputChannelState(
    [property: Id(0)] int TargetVertex,
    [property: Id(1)] int TargetSubtask,
    [property: Id(2)] int Input,
    [property: Id(3)] long NextSequence);
