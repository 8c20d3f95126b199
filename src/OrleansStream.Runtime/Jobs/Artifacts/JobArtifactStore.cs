using Microsoft.Extensions.Options;
using Orleans.Storage;
using OrleansStream.Contracts.Artifacts;
using OrleansStream.Contracts.Jobs;
using OrleansStream.Runtime.Checkpoints;
using OrleansStream.Runtime.Hosting;
using OrleansStream.Runtime.Storage;

namespace OrleansStream.Runtime.Jobs.Artifacts;

/// <summary>
/// Uploaded job assemblies in checkpoint storage (the grain storage that also holds checkpoints and
/// job records), so that any silo, including one started after the upload, can load a job's code.
/// An artifact is a manifest keyed by its content hash plus its content cut into parts of
/// <see cref="PartBytes"/>: moderate rows for the ADO.NET providers, and no single message or row
/// as large as the assembly.
/// </summary>
internal sealed class JobArtifactStore(IServiceProvider services, IOptions<OrleansStreamOptions> options)
{
    /// <summary>The size of a stored part, and of an upload call.</summary>
    public const int PartBytes = 1 << 20;

    /// <summary>The largest job assembly accepted: a job's own code, not its dependencies, and read whole into memory by each silo that loads it.</summary>
    public const long MaxLength = 256L << 20;

    private static readonly GrainType ManifestType = GrainType.Create("orleansstream.artifact");
    private static readonly GrainType PartType = GrainType.Create("orleansstream.artifact-part");

    // The ADO.NET provider keys rows by grain key and state name only: these names keep artifacts apart from other records.
    private const string ManifestState = "artifact";
    private const string PartState = "artifact-part";

    private IGrainStorage? _storage;

    private IGrainStorage Storage => _storage ??= GrainStorageLookup.Find(services, options.Value.StorageProvider);

    public static int PartCount(long length) => (int)((length + PartBytes - 1) / PartBytes);

    /// <summary>The artifact's manifest and its storage ETag (which changes when it is written again), or null when no complete upload has this id.</summary>
    public async Task<(StoredArtifact Manifest, string? ETag)?> FindAsync(string artifactId, CancellationToken cancellationToken)
    {
        var state = new GrainState<StoredArtifact>();
        await Storage.ReadStateAsync(ManifestState, ManifestId(artifactId), state, cancellationToken);
        return state.RecordExists && state.State is { Parts: > 0 } manifest ? (manifest, state.ETag) : null;
    }

    /// <summary>Stores one part; a part left by an interrupted upload of the same content is overwritten.</summary>
    public async Task WritePartAsync(string artifactId, int index, byte[] data, CancellationToken cancellationToken)
    {
        var id = PartId(artifactId, index);
        var state = new GrainState<StoredChunk>();
        await Storage.ReadStateAsync(PartState, id, state, cancellationToken);
        state.State = new StoredChunk { Data = data };
        await Storage.WriteStateAsync(PartState, id, state, cancellationToken);
    }

    /// <summary>Writes the manifest, which makes the artifact visible: call it once every part is stored.</summary>
    public async Task WriteManifestAsync(string artifactId, StoredArtifact manifest, CancellationToken cancellationToken)
    {
        var id = ManifestId(artifactId);
        var state = new GrainState<StoredArtifact>();
        await Storage.ReadStateAsync(ManifestState, id, state, cancellationToken);
        state.State = manifest;
        await Storage.WriteStateAsync(ManifestState, id, state, cancellationToken);
    }

    /// <summary>Reads <paramref name="parts"/> parts and joins them; throws <see cref="JobSubmissionException"/> when one is missing.</summary>
    public async Task<byte[]> ReadPartsAsync(string artifactId, int parts, long length, CancellationToken cancellationToken)
    {
        var content = new byte[length];
        long offset = 0;
        for (int i = 0; i < parts; i++)
        {
            var state = new GrainState<StoredChunk>();
            await Storage.ReadStateAsync(PartState, PartId(artifactId, i), state, cancellationToken);
            if (!state.RecordExists || state.State is not { } part || offset + part.Data.Length > length)
            {
                throw new JobSubmissionException($"Part {i} of uploaded job assembly {artifactId} is missing or the wrong size in checkpoint storage: upload the assembly again.");
            }

            part.Data.CopyTo(content, offset);
            offset += part.Data.Length;
        }

        return offset == length
            ? content
            : throw new JobSubmissionException($"Uploaded job assembly {artifactId} has {offset} of its {length} bytes in checkpoint storage: upload the assembly again.");
    }

    /// <summary>Reads a complete artifact and checks it against its id; throws <see cref="JobSubmissionException"/> when it is missing or damaged.</summary>
    public async Task<byte[]> ReadContentAsync(JobArtifact artifact, CancellationToken cancellationToken)
    {
        var (manifest, _) = await FindAsync(artifact.Id, cancellationToken)
            ?? throw new JobSubmissionException(
                $"Uploaded job assembly '{artifact.FileName}' ({artifact.Id}) is not in the cluster's checkpoint storage: " +
                "upload it with StreamJobClient.UploadArtifactAsync before submitting a job that uses it.");
        var content = await ReadPartsAsync(artifact.Id, manifest.Parts, manifest.Length, cancellationToken);
        if (JobAssemblyImage.IdOf(content) != artifact.Id)
        {
            throw new JobSubmissionException($"Uploaded job assembly '{artifact.FileName}' ({artifact.Id}) is damaged in checkpoint storage (its hash differs): upload it again.");
        }

        return content;
    }

    private static GrainId ManifestId(string artifactId) => GrainId.Create(ManifestType, artifactId);

    private static GrainId PartId(string artifactId, int index) => GrainId.Create(PartType, $"{artifactId}/{index}");
}
