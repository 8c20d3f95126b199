namespace OrleansStream.Contracts.Jobs;

/// <summary>The job cannot do what was asked in its current state (a savepoint of a job that does not run, say).</summary>
[GenerateSerializer, Alias("orleansstream.job-not-running")]
public sealed class JobNotRunningException : OrleansException
{
    public JobNotRunningException(string message) : base(message)
    {
    }
}
