using System.Reflection;
using Microsoft.Extensions.Logging;
using OrleansStream.Contracts.Artifacts;
using OrleansStream.Contracts.Jobs;

namespace OrleansStream.Runtime.Jobs.Artifacts;

/// <summary>
/// One per silo: loads each job's uploaded assembly into a collectible load context of the job's
/// own, and unloads it when nothing on this silo runs the job any more.
/// </summary>
/// <remarks>
/// Who needs a job's code on a silo says so with <see cref="Hold"/>: the job grain while it
/// supervises the job, and each task grain from its start until it deactivates. When the last hold
/// is let go the context is unloaded; the runtime collects it once no object, delegate or cache
/// refers to its types any more. A job that holds again later (a restart that places tasks here)
/// gets a fresh context, loaded again from checkpoint storage.
/// </remarks>
public sealed class JobAssemblyLoader
{
    private readonly JobArtifactStore _store;
    private readonly ILogger<JobAssemblyLoader> _logger;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, LoadedJob> _jobs = new(StringComparer.Ordinal);

    internal JobAssemblyLoader(JobArtifactStore store, ILogger<JobAssemblyLoader> logger)
    {
        _store = store;
        _logger = logger;
    }

    /// <summary>The name of a job's load context (<see cref="System.Runtime.Loader.AssemblyLoadContext.Name"/>), one per silo that runs part of the job.</summary>
    public static string ContextName(string jobId) => $"orleansstream job {jobId}";

    /// <summary>The jobs whose code this silo holds now.</summary>
    public IReadOnlyList<string> HeldJobs
    {
        get
        {
            lock (_lock)
            {
                return _jobs.Keys.ToList();
            }
        }
    }

    /// <summary>
    /// Keeps the job's code loaded on this silo (once loaded) until the returned hold is disposed;
    /// the last disposal unloads it. Take it before building the job's graph.
    /// </summary>
    public IDisposable Hold(string jobId)
    {
        lock (_lock)
        {
            if (!_jobs.TryGetValue(jobId, out var job))
            {
                job = new LoadedJob(jobId);
                _jobs.Add(jobId, job);
            }

            job.Holders++;
            return new JobHold(this, job);
        }
    }

    /// <summary>
    /// The job's uploaded assembly in its load context, read from checkpoint storage on first use.
    /// Throws <see cref="JobSubmissionException"/> when the artifact is missing or damaged.
    /// </summary>
    public async ValueTask<Assembly> LoadAsync(string jobId, JobArtifact artifact, CancellationToken cancellationToken)
    {
        Task<LoadedAssembly> loading;
        lock (_lock)
        {
            if (!_jobs.TryGetValue(jobId, out var job))
            {
                throw new InvalidOperationException($"Job '{jobId}' loads its uploaded assembly without a hold on it: call Hold(jobId) first and dispose the hold when the job's code is no longer needed.");
            }

            if (job.Artifact is { } loaded && loaded.Id != artifact.Id)
            {
                throw new JobSubmissionException($"Job '{jobId}' already runs uploaded assembly {loaded.Id} on this silo; a job has one assembly.");
            }

            if (job.Loading is null || job.Loading.IsFaulted || job.Loading.IsCanceled)
            {
                // Shared by every holder of the job: one caller's cancellation must not fail the others' load.
                job.Artifact = artifact;
                job.Loading = Task.Run(() => LoadCoreAsync(jobId, artifact));
            }

            loading = job.Loading;
        }

        return (await loading.WaitAsync(cancellationToken)).Assembly;
    }

    private async Task<LoadedAssembly> LoadCoreAsync(string jobId, JobArtifact artifact)
    {
        var content = await _store.ReadContentAsync(artifact, CancellationToken.None);
        var context = new JobLoadContext(jobId);
        try
        {
            using var stream = new MemoryStream(content, writable: false);
            var assembly = context.LoadFromStream(stream);
            _logger.LogInformation("Job {JobId}: loaded uploaded assembly {Assembly} ({ArtifactId})", jobId, assembly.FullName, artifact.Id);
            return new LoadedAssembly(context, assembly);
        }
        catch (Exception ex) when (ex is BadImageFormatException or FileLoadException)
        {
            context.Unload();
            throw new JobSubmissionException($"Uploaded job assembly '{artifact.FileName}' ({artifact.Id}) cannot be loaded on this silo: {ex.Message}");
        }
    }

    private void Release(LoadedJob job)
    {
        Task<LoadedAssembly>? loading;
        lock (_lock)
        {
            if (--job.Holders > 0)
            {
                return;
            }

            _jobs.Remove(job.JobId);
            loading = job.Loading;
        }

        if (loading is not null)
        {
            _ = UnloadAsync(job.JobId, loading);
        }
    }

    private async Task UnloadAsync(string jobId, Task<LoadedAssembly> loading)
    {
        LoadedAssembly loaded;
        try
        {
            loaded = await loading;
        }
        catch
        {
            // Never loaded: nothing to unload (the failure was reported to whoever waited for it).
            return;
        }

        loaded.Context.Unload();
        JobCodeCaches.Clear();
        _logger.LogInformation("Job {JobId}: uploaded assembly unloaded from this silo", jobId);
    }

    private sealed class LoadedJob(string jobId)
    {
        public string JobId { get; } = jobId;

        public int Holders { get; set; }

        public JobArtifact? Artifact { get; set; }

        public Task<LoadedAssembly>? Loading { get; set; }
    }

    private sealed record LoadedAssembly(JobLoadContext Context, Assembly Assembly);

    private sealed class JobHold(JobAssemblyLoader loader, LoadedJob job) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                loader.Release(job);
            }
        }
    }
}
