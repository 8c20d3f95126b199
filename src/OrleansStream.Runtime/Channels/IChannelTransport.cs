using OrleansStream.Runtime.Tasks;

namespace OrleansStream.Runtime.Channels;

/// <summary>
/// How envelopes travel from one subtask to another (Flink's network stack). Chosen by name
/// (<see cref="Hosting.OrleansStreamOptions.ChannelTransport"/>): the push transport by default, or any
/// Orleans stream provider. Ordering and duplicate checks are not the transport's: the receiving
/// <see cref="InputGate"/> does them, by the envelopes' own sequence numbers.
/// </summary>
internal interface IChannelTransport
{
    /// <summary>
    /// The transport delivers concurrently, so a channel's envelopes may arrive out of order and are
    /// parked until the gap before them fills. Otherwise an envelope that arrives early means the
    /// transport lost the one before it, which fails the job.
    /// </summary>
    bool MayReorder { get; }

    /// <summary>A channel of <paramref name="sender"/> to <paramref name="receiver"/>.</summary>
    IChannelSender Connect(TaskId sender, TaskId receiver);
}

/// <summary>The sending end of one channel on a transport.</summary>
internal interface IChannelSender
{
    /// <summary>Sends an envelope; waits while the channel has as many in flight as the transport allows (backpressure).</summary>
    Task SendAsync(StreamEnvelope envelope);

    /// <summary>
    /// Waits until the receiver has processed everything sent, where the transport can tell (the push
    /// transport's acknowledgements); other transports complete at once, the end-of-input envelope
    /// having told the receiver that the channel is done.
    /// </summary>
    Task DrainAsync();
}
