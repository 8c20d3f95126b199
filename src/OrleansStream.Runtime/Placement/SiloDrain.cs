using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansStream.Contracts.Jobs;
using OrleansStream.Contracts.Rescaling;
using OrleansStream.Runtime.Hosting;
using OrleansStream.Runtime.Jobs;

namespace OrleansStream.Runtime.Placement;

/// <summary>
/// Drains a silo that stops gracefully (SIGTERM: a rolling update, a scale-in, a node drain) before it leaves: it
/// offers no more task slots, and every job with subtasks here moves them to the other silos at a consistent point
/// (a savepoint it stops at and restarts from, sinks committed), instead of failing when the silo is gone. Runs
/// first when the silo stops, while it is still a full member; bounded by <see cref="OrleansStreamOptions.DrainTimeout"/>,
/// so that a silo whose database or peers do not answer still exits in its grace period.
/// </summary>
internal sealed class SiloDrain(
    ILocalSiloDetails silo,
    IGrainFactory grains,
    IOptions<OrleansStreamOptions> options,
    ILogger<SiloDrain> logger) : ILifecycleParticipant<ISiloLifecycle>
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(100);

    /// <summary>True once the silo drains: it offers no task slots.</summary>
    public bool IsDraining { get; private set; }

    /// <summary>
    /// True once the drain is over and the silo stops in good order: its job grains may hand their running attempts
    /// over. A silo that is stopped without grace (its stop already canceled) never gets here.
    /// </summary>
    public bool HasDrained { get; private set; }

    public void Participate(ISiloLifecycle lifecycle)
        => lifecycle.Subscribe(nameof(SiloDrain), ServiceLifecycleStage.Active, _ => Task.CompletedTask, DrainAsync);

    private async Task DrainAsync(CancellationToken cancellationToken)
    {
        IsDraining = true;
        if (cancellationToken.IsCancellationRequested)
        {
            // Stopped without grace: nothing waits for the jobs, which recover as after a crash.
            return;
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.Value.DrainTimeout);
        var moving = new System.Collections.Concurrent.ConcurrentDictionary<string, long>();
        try
        {
            var jobs = await grains.GetGrain<IJobRegistryGrain>(IJobRegistryGrain.Key).ListAsync().WaitAsync(timeout.Token);
            await Task.WhenAll(jobs.Where(j => !j.IsTerminal).Select(async job =>
            {
                // Until the job has nothing here: a rescale already under way is waited for, then the job is asked again.
                while (await grains.GetGrain<IJobMasterGateway>(job.JobId).VacateSiloAsync(silo.SiloAddress).WaitAsync(timeout.Token) is { } rescale)
                {
                    if (moving.TryAdd(job.JobId, rescale))
                    {
                        logger.LogInformation("Draining: job {JobId} moves its subtasks off this silo (rescale {Rescale})", job.JobId, rescale);
                    }

                    await WaitForAsync(job.JobId, rescale, timeout.Token);
                }
            }));

            HasDrained = true;
            if (moving.Count > 0)
            {
                logger.LogInformation("Drained: the {Count} job(s) that ran here run on the other silos", moving.Count);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or TimeoutException)
        {
            logger.LogWarning("Draining did not finish within {Timeout} s ({Jobs}); the silo stops anyway and those jobs recover from their last checkpoint",
                options.Value.DrainTimeout.TotalSeconds, string.Join(", ", moving.Keys));
        }
        catch (Exception ex)
        {
            logger.LogWarning("Draining failed ({Error}); the silo stops anyway and the jobs that ran here recover from their last checkpoint", ex.GetBaseException().Message);
        }
    }

    /// <summary>Waits until rescale <paramref name="rescale"/> of the job is no longer under way, or the job has ended.</summary>
    private async Task WaitForAsync(string jobId, long rescale, CancellationToken cancellationToken)
    {
        var job = grains.GetGrain<IJobGrain>(jobId);
        while ((await job.GetStatusAsync().WaitAsync(cancellationToken)) is { IsTerminal: false } status
            && status.Rescales?.FirstOrDefault(r => r.Id == rescale) is { State: RescaleState.InProgress })
        {
            await Task.Delay(PollInterval, cancellationToken);
        }
    }
}
