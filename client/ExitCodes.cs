namespace OrleansStream.Cli;

/// <summary>Exit codes scripts can tell apart.</summary>
internal static class ExitCodes
{
    public const int Success = 0;

    /// <summary>The job ended other than as asked (with <c>--wait</c>: not finished), or a savepoint or rescale failed.</summary>
    public const int JobNotFinished = 1;

    /// <summary>The cluster refused the job or the rescale: it cannot be built, a vertex cannot take that parallelism, or there are not enough task slots.</summary>
    public const int Refused = 2;

    /// <summary>No gateway answered, or the connection was lost.</summary>
    public const int NoCluster = 3;

    /// <summary>The cluster knows no job with the given id.</summary>
    public const int JobNotFound = 4;

    /// <summary>The cluster checks callers and refused this one: no token or an unknown one, a role it lacks, another principal's job (sysexits' EX_NOPERM).</summary>
    public const int NotAuthorized = 77;

    /// <summary>The cluster was reached but could not do it now (it did not answer in time, a grain could not activate): check with status or try again.</summary>
    public const int TryAgain = 75;

    /// <summary>Something this command did not expect; the message says what.</summary>
    public const int Internal = 70;

    /// <summary>The command line itself is wrong (sysexits' EX_USAGE); nothing was sent.</summary>
    public const int Usage = 64;

    /// <summary>A local file (topology, assembly) is missing or invalid; nothing was sent.</summary>
    public const int BadInput = 65;

    /// <summary>Ctrl+C, as shells report SIGINT.</summary>
    public const int Interrupted = 130;
}
