namespace OrleansStream.Topology.Rows;

/// <summary>
/// One value of a row: numbers, booleans and timestamps in <see cref="Bits"/>, strings in <see cref="Text"/>.
/// A struct in the row's array, so a row is two allocations whatever its width, and no value is boxed.
/// </summary>
internal struct RowValue
{
    public long Bits;
    public string? Text;
}
