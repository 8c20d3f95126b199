namespace OrleansStream.Cli;

/// <summary>Exit codes scripts can tell apart.</summary>
internal static class ExitCodes
{
    public const int Success = 0;

    /// <summary>The job ended other than finished (with <c>--wait</c>), or is not known.</summary>
    public const int JobNotFinished = 1;

    /// <summary>The cluster refused the job: it cannot be built or there are not enough task slots.</summary>
    public const int Refused = 2;

    /// <summary>No gateway answered, or the connection was lost.</summary>
    public const int NoCluster = 3;

    /// <summary>Ctrl+C, as shells report SIGINT.</summary>
    public const int Interrupted = 130;
}
