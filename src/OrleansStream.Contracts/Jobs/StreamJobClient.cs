using OrleansStream.Contracts.Artifacts;
using OrleansStream.Contracts.Checkpoints;
using OrleansStream.Contracts.Rescaling;

namespace OrleansStream.Contracts.Jobs;

/// <summary>Submits and follows jobs through a grain factory (a silo's or a cluster client's).</summary>
public sealed class StreamJobClient(IGrainFactory grains)
{
    /// <summary>Submits a job under a new id made from its name; returns its status after deployment.</summary>
    public Task<JobStatus> SubmitAsync(JobSubmission submission, string? jobId = null)
        => grains.GetGrain<IJobGrain>(jobId ?? NewJobId(submission.DefaultName)).SubmitAsync(submission);

    /// <summary>A new job id made from the job's name: <c>{name}-{8 hex digits}</c>.</summary>
    public static string NewJobId(string jobName) => $"{Slug(jobName)}-{Guid.NewGuid().ToString("N")[..8]}";

    /// <summary>
    /// Uploads a job assembly (the compiled dll holding an <see cref="OrleansStream.Api.IStreamJob"/> class) into the
    /// cluster's checkpoint storage, where every silo can load it, and returns the artifact to submit
    /// with <see cref="JobSubmission.ForArtifact"/>. The id is the content's SHA-256: uploading the same
    /// bytes again stores nothing and returns the same id. Only this one assembly is uploaded: what it
    /// references must be deployed with the silos (see docs/jobs.md).
    /// </summary>
    /// <exception cref="JobSubmissionException">The bytes are not a .NET assembly that can run as a job.</exception>
    public async Task<JobArtifact> UploadArtifactAsync(string fileName, ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(fileName);
        fileName = Path.GetFileName(fileName);

        // Checked here first so that a wrong file fails before any byte is sent; the cluster checks again.
        var image = JobAssemblyImage.Inspect(fileName, content);
        var upload = grains.GetGrain<IJobArtifactGrain>(image.Id);
        if (await upload.IsStoredAsync().WaitAsync(cancellationToken))
        {
            return new JobArtifact(image.Id, fileName);
        }

        int parts = JobArtifactLimits.PartCount(content.Length);
        for (int i = 0; i < parts; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            int offset = i * JobArtifactLimits.PartBytes;
            await upload.WritePartAsync(i, content.Slice(offset, Math.Min(JobArtifactLimits.PartBytes, content.Length - offset)).ToArray());
        }

        return await upload.CompleteAsync(fileName, parts, content.Length).WaitAsync(cancellationToken);
    }

    /// <summary>Reads the job assembly at <paramref name="path"/> and uploads it (<see cref="UploadArtifactAsync(string, ReadOnlyMemory{byte}, CancellationToken)"/>).</summary>
    public async Task<JobArtifact> UploadArtifactFileAsync(string path, CancellationToken cancellationToken = default)
        => await UploadArtifactAsync(Path.GetFileName(path), await File.ReadAllBytesAsync(path, cancellationToken), cancellationToken);

    public Task<JobStatus> GetStatusAsync(string jobId) => grains.GetGrain<IJobGrain>(jobId).GetStatusAsync();

    public Task CancelAsync(string jobId) => grains.GetGrain<IJobGrain>(jobId).CancelAsync();

    /// <summary>Polls until the job is finished, failed, canceled or stopped.</summary>
    public Task<JobStatus> WaitForCompletionAsync(string jobId, CancellationToken cancellationToken = default)
        => WaitUntilAsync(jobId, static status => status.IsTerminal, cancellationToken);

    /// <summary>Polls the job's status, soon at first and then every 200 ms, until <paramref name="done"/> says so; <paramref name="done"/> sees every status.</summary>
    public async Task<JobStatus> WaitUntilAsync(string jobId, Func<JobStatus, bool> done, CancellationToken cancellationToken = default)
    {
        var delay = TimeSpan.FromMilliseconds(20);
        while (true)
        {
            var status = await GetStatusAsync(jobId).WaitAsync(cancellationToken);
            if (done(status))
            {
                return status;
            }

            await Task.Delay(delay, cancellationToken);
            delay = TimeSpan.FromMilliseconds(Math.Min(200, delay.TotalMilliseconds * 2));
        }
    }

    /// <summary>Takes a savepoint of a running job and returns its pointer (<c>{job}/{id}</c>) once it is complete.</summary>
    public Task<string> TriggerSavepointAsync(string jobId, TimeSpan timeout, CancellationToken cancellationToken = default)
        => SavepointAsync(jobId, stopAfter: false, timeout, cancellationToken);

    /// <summary>Takes a savepoint, waits until the sinks have committed up to it, and stops the job (Flink's stop-with-savepoint).</summary>
    public Task<string> StopWithSavepointAsync(string jobId, TimeSpan timeout, CancellationToken cancellationToken = default)
        => SavepointAsync(jobId, stopAfter: true, timeout, cancellationToken);

    private async Task<string> SavepointAsync(string jobId, bool stopAfter, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        var job = grains.GetGrain<IJobGrain>(jobId);
        long id = await job.TriggerSavepointAsync(stopAfter);
        var delay = TimeSpan.FromMilliseconds(20);
        while (true)
        {
            var outcome = await job.GetCheckpointAsync(id);
            switch (outcome?.State)
            {
                case CheckpointOutcomeState.Completed when stopAfter:
                    return await WaitUntilStoppedAsync(jobId, id, outcome.Pointer!, timeout, deadline.Token, cancellationToken);
                case CheckpointOutcomeState.Completed:
                    return outcome.Pointer!;
                case CheckpointOutcomeState.Failed:
                    throw new SavepointFailedException(jobId, id, outcome.Failure ?? "unknown reason");
                case null:
                    throw new SavepointFailedException(jobId, id, "the job no longer knows it (its grain was restarted)");
            }

            try
            {
                await Task.Delay(delay, deadline.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new SavepointFailedException(jobId, id, $"it did not complete within {timeout.TotalSeconds:0.###} s");
            }

            delay = TimeSpan.FromMilliseconds(Math.Min(200, delay.TotalMilliseconds * 2));
        }
    }

    /// <summary>After a stop-with-savepoint's savepoint: the job stops once its sinks have committed up to it, or it did not stop.</summary>
    private async Task<string> WaitUntilStoppedAsync(string jobId, long id, string pointer, TimeSpan timeout, CancellationToken deadline, CancellationToken cancellationToken)
    {
        JobStatus status;
        try
        {
            status = await WaitForCompletionAsync(jobId, deadline);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new SavepointFailedException(jobId, id, $"savepoint {pointer} completed but the job did not stop within {timeout.TotalSeconds:0.###} s");
        }

        return status.State == JobState.Stopped
            ? pointer
            : throw new SavepointFailedException(jobId, id, $"savepoint {pointer} completed but the job ended {status.State} instead of stopping: {status.Failure ?? status.Checkpoints.LastFailure}");
    }

    /// <summary>
    /// Rescales a running job as <paramref name="request"/> asks and waits until the rescale is done; returns it, with
    /// what it moved and how long key groups paused. Throws <see cref="RescaleRefusedException"/> or
    /// <see cref="Cluster.InsufficientSlotsException"/> when the cluster refuses it, and <see cref="RescaleFailedException"/>
    /// when it does not complete within <paramref name="timeout"/>.
    /// </summary>
    public async Task<RescaleInfo> RescaleAsync(string jobId, RescaleRequest request, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        RescaleInfo started;
        try
        {
            started = await grains.GetGrain<IJobGrain>(jobId).RescaleAsync(request).WaitAsync(cancellationToken);
        }
        catch (JobStateException ex)
        {
            throw new RescaleFailedException(jobId, ex.Message, ex);
        }

        if (started.State != RescaleState.InProgress)
        {
            return started;
        }

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            var status = await WaitUntilAsync(jobId, status => status.IsTerminal || Find(status, started.Id) is not { State: RescaleState.InProgress }, deadline.Token);
            return Find(status, started.Id) switch
            {
                { State: RescaleState.Completed } done => done,
                { State: RescaleState.Failed } failed => throw new RescaleFailedException(jobId, started.Id, failed.Failure ?? "unknown reason"),
                _ => throw new RescaleFailedException(jobId, started.Id, $"the job ended {status.State} first"),
            };
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new RescaleFailedException(jobId, started.Id, $"it did not complete within {timeout.TotalSeconds:0.###} s; it may still");
        }

        static RescaleInfo? Find(JobStatus status, long id) => status.Rescales?.FirstOrDefault(r => r.Id == id);
    }

    private static string Slug(string name)
    {
        var slug = new string(name.ToLowerInvariant().Select(c => char.IsAsciiLetterOrDigit(c) ? c : '-').ToArray()).Trim('-');
        return slug.Length == 0 ? "job" : slug[..Math.Min(slug.Length, 48)];
    }
}
