namespace OrleansStream.Runtime.Jobs;

/// <summary>Submits and follows jobs through a grain factory (a silo's or a cluster client's).</summary>
public sealed class StreamJobClient(IGrainFactory grains)
{
    /// <summary>Submits a job under a new id made from its name; returns its status after deployment.</summary>
    public Task<JobStatus> SubmitAsync(JobSubmission submission, string? jobId = null)
    {
        jobId ??= $"{Slug(submission.JobName)}-{Guid.NewGuid().ToString("N")[..8]}";
        return grains.GetGrain<IJobGrain>(jobId).SubmitAsync(submission);
    }

    public Task<JobStatus> GetStatusAsync(string jobId) => grains.GetGrain<IJobGrain>(jobId).GetStatusAsync();

    public Task CancelAsync(string jobId) => grains.GetGrain<IJobGrain>(jobId).CancelAsync();

    /// <summary>Polls until the job is finished, failed or canceled.</summary>
    public async Task<JobStatus> WaitForCompletionAsync(string jobId, CancellationToken cancellationToken = default)
    {
        var delay = TimeSpan.FromMilliseconds(20);
        while (true)
        {
            var status = await GetStatusAsync(jobId);
            if (status.IsTerminal)
            {
                return status;
            }

            await Task.Delay(delay, cancellationToken);
            delay = TimeSpan.FromMilliseconds(Math.Min(200, delay.TotalMilliseconds * 2));
        }
    }

    private static string Slug(string name)
    {
        var slug = new string(name.ToLowerInvariant().Select(c => char.IsAsciiLetterOrDigit(c) ? c : '-').ToArray()).Trim('-');
        return slug.Length == 0 ? "job" : slug[..Math.Min(slug.Length, 48)];
    }
}
