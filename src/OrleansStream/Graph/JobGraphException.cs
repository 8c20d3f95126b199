namespace OrleansStream.Graph;

/// <summary>A job that cannot be translated or run as described; names the operator at fault.</summary>
public sealed class JobGraphException : Exception
{
    public JobGraphException(string operatorName, string message)
        : base($"Operator '{operatorName}': {message}") => OperatorName = operatorName;

    public JobGraphException(string message) : base(message) { }

    /// <summary>The operator the problem is in, when there is one.</summary>
    public string? OperatorName { get; }
}
