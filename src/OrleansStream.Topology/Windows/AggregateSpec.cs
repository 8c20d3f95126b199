using OrleansStream.Topology.Rows;

namespace OrleansStream.Topology.Windows;

/// <summary>
/// One aggregate of a window step: what it computes over which input field, the type of its result, and
/// its slot in the accumulator (integer slots for long and timestamp values, real slots for doubles and averages).
/// </summary>
internal sealed record AggregateSpec(string Name, AggregateKind Kind, int Field, FieldType FieldType, FieldType ResultType, int Slot)
{
    /// <summary>True when the slot is in <see cref="RowAccumulator.Reals"/>, else in <see cref="RowAccumulator.Integers"/>.</summary>
    public bool UsesReal => Kind == AggregateKind.Avg || FieldType == FieldType.Double;
}
