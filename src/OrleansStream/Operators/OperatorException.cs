namespace OrleansStream.Operators;

/// <summary>A user function or operator threw; names the operator so the failure can be traced to the job's code.</summary>
public sealed class OperatorException(string operatorName, Exception inner)
    : Exception($"Operator '{operatorName}' failed: {inner.Message}", inner)
{
    public string OperatorName { get; } = operatorName;
}
