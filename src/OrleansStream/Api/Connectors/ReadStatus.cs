namespace OrleansStream.Api.Connectors;

/// <summary>What a read slice found.</summary>
public enum ReadStatus
{
    /// <summary>More records are ready now; read again soon.</summary>
    MoreAvailable,

    /// <summary>Nothing is ready now; read again after a short pause.</summary>
    NothingAvailable,

    /// <summary>All assigned splits are exhausted.</summary>
    End,
}
