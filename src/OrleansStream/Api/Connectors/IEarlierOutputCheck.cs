namespace OrleansStream.Api.Connectors;

/// <summary>
/// A sink whose destination keeps what earlier jobs committed there, such as a directory of part files. When a job
/// starts fresh (not from a savepoint, and not told to append), the cluster asks every such sink before it accepts the
/// job, so that running the same job twice into the same place is refused instead of adding a second copy of the output.
/// </summary>
public interface IEarlierOutputCheck
{
    /// <summary>What earlier jobs committed to the destination, e.g. <c>'/out/counts' holds 8 committed part files</c>; null when nothing.</summary>
    string? DescribeEarlierOutput();
}
