namespace OrleansStream.State;

/// <summary>When an entry's time to live starts again (Flink's StateTtlConfig.UpdateType).</summary>
public enum StateTtlUpdateType
{
    /// <summary>Only writes (creating or updating the entry) restart its time to live.</summary>
    OnCreateAndWrite,

    /// <summary>Reads restart it too.</summary>
    OnReadAndWrite,
}

/// <summary>Whether an expired entry that is still held may be read (Flink's StateTtlConfig.StateVisibility).</summary>
public enum StateTtlVisibility
{
    /// <summary>An expired entry reads as absent, whether or not it has been removed yet.</summary>
    NeverReturnExpired,

    /// <summary>An expired entry reads as present until it is removed.</summary>
    ReturnExpiredIfNotCleanedUp,
}

/// <summary>
/// Time to live of keyed state entries (Flink's StateTtlConfig): an entry expires <see cref="Ttl"/> after it
/// was last written (or read, with <see cref="StateTtlUpdateType.OnReadAndWrite"/>), on the processing-time
/// clock. For list state every element has its own time to live, for map state every entry. Expired entries
/// are removed when read, left out of every checkpoint (so a restore never brings them back), and swept from
/// memory a few keys per clock tick.
/// </summary>
public sealed record StateTtlConfig
{
    public StateTtlConfig(TimeSpan ttl)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(ttl, TimeSpan.FromMilliseconds(1));
        Ttl = ttl;
    }

    public TimeSpan Ttl { get; }

    public StateTtlUpdateType UpdateType { get; init; } = StateTtlUpdateType.OnCreateAndWrite;

    public StateTtlVisibility Visibility { get; init; } = StateTtlVisibility.NeverReturnExpired;
}
