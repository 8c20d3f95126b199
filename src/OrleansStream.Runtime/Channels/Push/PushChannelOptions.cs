namespace OrleansStream.Runtime.Channels.Push;

/// <summary>Options of the push channel transport.</summary>
public sealed class PushChannelOptions
{
    /// <summary>
    /// Envelopes a channel may have in flight before a send waits (backpressure). Window × the
    /// receiver's time per envelope must stay well under the call timeout.
    /// </summary>
    public int MaxInFlight { get; set; } = 8;

    /// <summary>How often unacknowledged envelopes are resent after a transport failure before the channel fails.</summary>
    public int MaxResendAttempts { get; set; } = 5;

    /// <summary>Pause before the first resend; doubled on each further attempt.</summary>
    public TimeSpan ResendBackoff { get; set; } = TimeSpan.FromMilliseconds(100);

    internal void Validate()
    {
        if (MaxInFlight < 1)
        {
            throw new OrleansConfigurationException($"OrleansStream push channels: {nameof(MaxInFlight)} must be at least 1, was {MaxInFlight}.");
        }

        if (MaxResendAttempts < 0)
        {
            throw new OrleansConfigurationException($"OrleansStream push channels: {nameof(MaxResendAttempts)} must not be negative, was {MaxResendAttempts}.");
        }
    }
}
