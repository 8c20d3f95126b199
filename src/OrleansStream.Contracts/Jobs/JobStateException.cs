namespace OrleansStream.Contracts.Jobs;

/// <summary>
/// The job's state does not allow what was asked: a savepoint of a job that does not run, or a second
/// savepoint while one waits to start.
/// </summary>
[GenerateSerializer, Alias("orleansstream.job-state")]
public sealed class JobStateException : OrleansException
{
    public JobStateException(string message) : base(message)
    {
    }
}
