using OrleansStream.KeyGroups;

namespace OrleansStream.Operators;

/// <summary>What an operator instance knows about where it runs.</summary>
public sealed record OperatorContext(
    string JobId,
    int Attempt,
    string OperatorName,
    int SubtaskIndex,
    int Parallelism,
    int MaxParallelism,
    TimeProvider Clock)
{
    public KeyGroupRange KeyGroups => KeyGroupRangeAssignment.RangeForOperator(MaxParallelism, Parallelism, SubtaskIndex);

    public long Now => Clock.GetUtcNow().ToUnixTimeMilliseconds();
}
