namespace OrleansStream.Contracts.Jobs;

/// <summary>A topology document and the name of the file it came from (errors name its lines).</summary>
[GenerateSerializer, Immutable, Alias("orleansstream.job-topology")]
public sealed record JobTopology([property: Id(0)] string Text, [property: Id(1)] string FileName)
{
    /// <summary>
    /// The longest document a cluster reads, in characters (1 MiB). Clients refuse a longer file before they
    /// read it, and silos before they parse it: a topology is a few hundred lines, and a parser must not be
    /// handed whatever a caller sends.
    /// </summary>
    public const int MaxLength = 1 << 20;

    /// <summary>The longest file a document of <see cref="MaxLength"/> characters can be: no character takes more than four bytes of UTF-8.</summary>
    public const long MaxFileBytes = MaxLength * 4L;
}
