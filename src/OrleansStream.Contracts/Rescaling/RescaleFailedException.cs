namespace OrleansStream.Contracts.Rescaling;

/// <summary>
/// A rescale did not complete: the job does not run or already rescales, the rescale failed (the job then recovers
/// from its last checkpoint), or it did not end in time (it may still).
/// </summary>
public sealed class RescaleFailedException : Exception
{
    public RescaleFailedException(string jobId, long rescaleId, string reason)
        : base($"Rescale {rescaleId} of job '{jobId}' failed: {reason}")
    {
    }

    public RescaleFailedException(string jobId, string reason, Exception? innerException = null)
        : base($"Job '{jobId}' was not rescaled: {reason}", innerException)
    {
    }
}
