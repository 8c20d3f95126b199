namespace OrleansStream.Runtime.Jobs.Artifacts;

/// <summary>
/// The manifest of an uploaded job assembly in checkpoint storage. It is written last, after every
/// part, so that its presence means the artifact is complete; its key is the content hash.
/// </summary>
[GenerateSerializer, Alias("orleansstream.stored-artifact")]
internal sealed class StoredArtifact
{
    [Id(0)] public string FileName { get; set; } = "";

    /// <summary>The assembly's simple name, as its metadata states it.</summary>
    [Id(1)] public string AssemblyName { get; set; } = "";

    [Id(2)] public long Length { get; set; }

    /// <summary>How many parts of at most <see cref="JobArtifactStore.PartBytes"/> hold the content, in order.</summary>
    [Id(3)] public int Parts { get; set; }

    [Id(4)] public DateTimeOffset UploadedAt { get; set; }
}
