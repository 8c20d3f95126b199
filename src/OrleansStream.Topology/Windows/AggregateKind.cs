namespace OrleansStream.Topology.Windows;

/// <summary>The aggregates a window step computes: <c>count()</c>, <c>sum(f)</c>, <c>min(f)</c>, <c>max(f)</c>, <c>avg(f)</c>.</summary>
internal enum AggregateKind
{
    Count,
    Sum,
    Min,
    Max,
    Avg,
}
