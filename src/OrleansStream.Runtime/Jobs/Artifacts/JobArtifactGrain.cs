using Microsoft.Extensions.Logging;
using OrleansStream.Contracts.Artifacts;
using OrleansStream.Contracts.Jobs;

namespace OrleansStream.Runtime.Jobs.Artifacts;

internal sealed class JobArtifactGrain(JobArtifactStore store, ILogger<JobArtifactGrain> logger) : Grain, IJobArtifactGrain
{
    private string ArtifactId => this.GetPrimaryKeyString();

    /// <summary>Artifacts are keyed by the SHA-256 of their content, as lower-case hex; no other key may create rows.</summary>
    private void CheckId()
    {
        if (ArtifactId.Length != 64 || !ArtifactId.All(char.IsAsciiHexDigitLower))
        {
            throw new JobSubmissionException($"'{ArtifactId}' is not an artifact id (the SHA-256 of the content, 64 lower-case hex digits).");
        }
    }

    public async Task<bool> IsStoredAsync() => await store.FindAsync(ArtifactId, CancellationToken.None) is not null;

    public Task WritePartAsync(int index, byte[] data)
    {
        CheckId();
        if (index < 0 || index >= JobArtifactStore.PartCount(JobArtifactStore.MaxLength))
        {
            throw new JobSubmissionException($"Part {index} is beyond the largest job assembly accepted ({JobArtifactStore.MaxLength >> 20} MiB).");
        }

        if (data.Length is 0 or > JobArtifactStore.PartBytes)
        {
            throw new ArgumentException($"A part holds 1 to {JobArtifactStore.PartBytes} bytes, not {data.Length}.", nameof(data));
        }

        return store.WritePartAsync(ArtifactId, index, data, CancellationToken.None);
    }

    public async Task<JobArtifact> CompleteAsync(string fileName, int parts, long length)
    {
        fileName = Path.GetFileName(fileName);
        if (await store.FindAsync(ArtifactId, CancellationToken.None) is not null)
        {
            return new JobArtifact(ArtifactId, fileName);
        }

        CheckId();
        if (length is < 1 or > JobArtifactStore.MaxLength)
        {
            throw new JobSubmissionException($"A job assembly of {length} bytes is not accepted: 1 byte to {JobArtifactStore.MaxLength >> 20} MiB.");
        }

        if (parts != JobArtifactStore.PartCount(length))
        {
            throw new JobSubmissionException($"An upload of {length} bytes has {JobArtifactStore.PartCount(length)} parts, not {parts}.");
        }

        // The key is trusted only once the stored bytes hash to it: a job must run the code it was submitted with.
        var content = await store.ReadPartsAsync(ArtifactId, parts, length, CancellationToken.None);
        var image = JobAssemblyImage.Inspect(fileName, content);
        if (image.Id != ArtifactId)
        {
            throw new JobSubmissionException($"The uploaded bytes of '{fileName}' hash to {image.Id}, not {ArtifactId}: upload the file again.");
        }

        await store.WriteManifestAsync(ArtifactId, new StoredArtifact
        {
            FileName = fileName,
            AssemblyName = image.AssemblyName,
            Length = length,
            Parts = parts,
            UploadedAt = DateTimeOffset.UtcNow,
        }, CancellationToken.None);
        logger.LogInformation("Job assembly {FileName} ({AssemblyName}, {Length} bytes) stored as artifact {ArtifactId}", fileName, image.AssemblyName, length, ArtifactId);

        // Nothing to keep in memory: the next call for this hash finds the manifest.
        DeactivateOnIdle();
        return new JobArtifact(ArtifactId, fileName);
    }
}
