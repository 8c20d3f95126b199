namespace OrleansStream.Contracts.Security;

/// <summary>The caller may not do this: no token or an unknown one, a role it lacks, or a job of another principal.</summary>
[GenerateSerializer, Alias("orleansstream.access-denied")]
public sealed class AccessDeniedException : Exception
{
    public AccessDeniedException(string message) : base(message)
    {
    }
}
