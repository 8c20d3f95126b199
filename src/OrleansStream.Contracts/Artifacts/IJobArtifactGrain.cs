using OrleansStream.Contracts.Security;

namespace OrleansStream.Contracts.Artifacts;

/// <summary>
/// Receives the upload of one job assembly, keyed by its content hash (SHA-256, lower-case hex): a
/// client sends the parts in order and completes the upload; the grain checks the whole content
/// against the key before the artifact becomes visible. One activation per hash serializes
/// concurrent uploads of the same bytes.
/// </summary>
public interface IJobArtifactGrain : IGrainWithStringKey
{
    /// <summary>True when this content is already stored completely: an upload of the same bytes can stop here.</summary>
    [RequiresRole(ClusterRoles.Upload)]
    Task<bool> IsStoredAsync();

    /// <summary>Stores part <paramref name="index"/> (at most 1 MiB, parts in order from 0).</summary>
    [RequiresRole(ClusterRoles.Upload)]
    Task WritePartAsync(int index, byte[] data);

    /// <summary>Checks the <paramref name="parts"/> stored parts (hash, .NET assembly) and makes the artifact visible; a no-op when it already is.</summary>
    [RequiresRole(ClusterRoles.Upload)]
    Task<JobArtifact> CompleteAsync(string fileName, int parts, long length);
}
