namespace OrleansStream.Contracts.Jobs;

/// <summary>A savepoint did not complete, or could not start; the job goes on (unless it failed for another reason).</summary>
public sealed class SavepointFailedException : Exception
{
    public SavepointFailedException(string jobId, long savepointId, string reason)
        : base($"Savepoint {savepointId} of job '{jobId}' failed: {reason}")
    {
    }

    public SavepointFailedException(string jobId, string reason, Exception? innerException = null)
        : base($"No savepoint of job '{jobId}': {reason}", innerException)
    {
    }
}
