namespace OrleansStream.Runtime.Streaming.Push;

/// <summary>Options of a push stream provider.</summary>
public sealed class PushStreamOptions
{
    /// <summary>
    /// Deliveries a producer may have in flight per stream before a send waits (backpressure).
    /// Window × the consumer's time per item must stay well under the call timeout.
    /// </summary>
    public int MaxInFlight { get; set; } = 8;

    /// <summary>How often an unacknowledged delivery is resent after a transport failure before the stream fails.</summary>
    public int MaxResendAttempts { get; set; } = 5;

    /// <summary>Pause before the first resend; doubled on each further attempt.</summary>
    public TimeSpan ResendBackoff { get; set; } = TimeSpan.FromMilliseconds(100);

    internal void Validate(string name)
    {
        if (MaxInFlight < 1)
        {
            throw new OrleansConfigurationException($"Push stream provider '{name}': {nameof(MaxInFlight)} must be at least 1, was {MaxInFlight}.");
        }

        if (MaxResendAttempts < 0)
        {
            throw new OrleansConfigurationException($"Push stream provider '{name}': {nameof(MaxResendAttempts)} must not be negative, was {MaxResendAttempts}.");
        }
    }
}
