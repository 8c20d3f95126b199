namespace OrleansStream.Contracts.Artifacts;

/// <summary>How job assemblies are uploaded: in parts of <see cref="PartBytes"/>, at most <see cref="MaxLength"/> in all.</summary>
public static class JobArtifactLimits
{
    /// <summary>The size of an upload call, and of a stored part.</summary>
    public const int PartBytes = 1 << 20;

    /// <summary>The largest job assembly accepted: a job's own code, not its dependencies, and read whole into memory by each silo that loads it.</summary>
    public const long MaxLength = 256L << 20;

    public static int PartCount(long length) => (int)((length + PartBytes - 1) / PartBytes);
}
