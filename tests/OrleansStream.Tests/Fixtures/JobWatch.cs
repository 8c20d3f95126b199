using OrleansStream.Client;
using OrleansStream.Contracts.Jobs;
using Xunit.Abstractions;

namespace OrleansStream.Tests.Fixtures;

/// <summary>
/// Follows one job for a test that kills a silo or injects a fault into it, whatever the test drives the job
/// with (the cluster's grains, the client SDK or the orleansstream command), so that every such test shows what
/// it claims: before the fault, <see cref="WaitUntilCheckpointedAsync"/> asserts that the job runs and has
/// completed a checkpoint taken after the point the test chose (after it read input, say), so that there is
/// something to restore; after it, <see cref="WaitUntilRestartedAsync"/> (or <see cref="AssertRestartedAndRestored"/>
/// for a fault that ends in the job's own time) asserts that the job started a new attempt and, when it has a
/// <see cref="SourceGate"/>, that the new attempt's sources were restored from a checkpoint. A job without a
/// gate must show its restore otherwise: output committed before the fault, with an exact output after it, rules
/// out a fresh start, which would commit that output twice.
/// </summary>
/// <remarks>
/// Every wait returns as soon as its condition holds and gives up only after <see cref="Patience"/>, which is
/// sized for a loaded two-core CI machine. A status that cannot be read for the moment (a killed silo not yet
/// declared dead, say) is asked for again.
/// </remarks>
public sealed class JobWatch(string jobId, Func<CancellationToken, Task<JobStatus>> readStatus, ITestOutputHelper? output = null, SourceGate? gate = null)
{
    /// <summary>The longest any one wait of a test may take before it fails.</summary>
    public static readonly TimeSpan Patience = TimeSpan.FromMinutes(3);

    /// <summary>How long a whole job may take to run to its end.</summary>
    public static readonly TimeSpan JobPatience = TimeSpan.FromMinutes(5);

    private JobStatus? _beforeFault;
    private int _restoresBeforeFault;

    public string JobId => jobId;

    /// <summary>A job followed through the cluster's grains (a test cluster's client or a silo's grain factory).</summary>
    public static JobWatch Of(StreamJobClient jobs, string jobId, ITestOutputHelper? output = null, SourceGate? gate = null)
        => new(jobId, cancellationToken => jobs.GetStatusAsync(jobId).WaitAsync(TimeSpan.FromSeconds(30), cancellationToken), output, gate);

    /// <summary>A job followed through the client SDK.</summary>
    public static JobWatch Of(IStreamClient client, string jobId, ITestOutputHelper? output = null, SourceGate? gate = null)
        => new(jobId, cancellationToken => client.GetStatusAsync(jobId, cancellationToken), output, gate);

    /// <summary>
    /// The step before a fault: waits until the job runs and has completed a checkpoint that was triggered after
    /// <paramref name="ready"/> first held (when given), and at least <paramref name="checkpoints"/> in all; asserts
    /// that it has and that the job has not ended. Returns the status the fault will be measured against.
    /// </summary>
    public async Task<JobStatus> WaitUntilCheckpointedAsync(Func<JobStatus, bool>? ready = null, int checkpoints = 1, string? what = null)
    {
        DateTimeOffset? since = null;
        var status = await WaitUntilAsync(s =>
        {
            if (s.IsTerminal)
            {
                return true;
            }

            if (s.State != JobState.Running)
            {
                return false;
            }

            since ??= ready is null || ready(s) ? DateTimeOffset.UtcNow : null;
            return since is { } t && s.Checkpoints.Completed >= checkpoints && s.Checkpoints.Latest is { } latest && latest.CompletedAt - latest.Duration > t;
        }, $"a checkpoint completed after {what ?? "this point"} while the job runs");

        Assert.False(status.IsTerminal, $"the job ended ({status.State}: {status.Failure}) before the fault: the test must hold it, not race it");
        Assert.Equal(JobState.Running, status.State);
        Assert.True(status.Checkpoints.Completed >= checkpoints && status.Checkpoints.Latest is not null, $"no completed checkpoint to restore: {status.Checkpoints}");
        _beforeFault = status;
        _restoresBeforeFault = gate?.Restores.Count ?? 0;
        output?.WriteLine($"ready for a fault: attempt {status.Attempt}, {status.Checkpoints.Completed} checkpoints, latest {status.Checkpoints.Latest!.Pointer}");
        return status;
    }

    /// <summary>The same, once the job's source named <paramref name="sourceName"/> has emitted records: the checkpoint holds read input.</summary>
    public Task<JobStatus> WaitUntilCheckpointedAfterInputAsync(string sourceName, int checkpoints = 1)
        => WaitUntilCheckpointedAsync(s => s.RecordsOf(sourceName) > 0, checkpoints, $"'{sourceName}' read input");

    /// <summary>
    /// The step after a kill: waits until the job runs a later attempt than before the fault (and, with a gate,
    /// until a reader of it was restored from a checkpoint) and asserts that it does.
    /// </summary>
    public async Task<JobStatus> WaitUntilRestartedAsync()
    {
        var before = BeforeFault;
        var status = await WaitUntilAsync(
            s => s.IsTerminal || (s.Attempt > before.Attempt && s.State == JobState.Running && (gate is null || gate.Restores.Count > _restoresBeforeFault)),
            $"an attempt after {before.Attempt} to run");
        Assert.False(status.IsTerminal, $"the job ended ({status.State}: {status.Failure}) instead of restarting");
        AssertRestartedAndRestored(status);
        return status;
    }

    /// <summary>Asserts that the job ran a new attempt since the fault and, with a gate, that the new attempt's sources were restored from a checkpoint.</summary>
    public void AssertRestartedAndRestored(JobStatus status)
    {
        var before = BeforeFault;
        Assert.True(status.Attempt > before.Attempt, $"no restart after the fault: attempt {status.Attempt}, before it {before.Attempt}; {status.Checkpoints}");
        if (gate is not null)
        {
            var restores = gate.Restores;
            Assert.True(restores.Count > _restoresBeforeFault, $"no source reader of a later attempt was restored from a checkpoint (attempt {status.Attempt})");
            output?.WriteLine($"restored: {restores[^1]}");
        }

        output?.WriteLine($"restarted: attempt {status.Attempt}, restarts {status.Checkpoints.Restarts}, supervisor {status.SupervisorSilo}");
    }

    /// <summary>Waits until the job ends and logs how it ended.</summary>
    public async Task<JobStatus> WaitForEndAsync()
    {
        var status = await WaitUntilAsync(s => s.IsTerminal, "the job to end", JobPatience);
        output?.WriteLine($"{status.State} after attempt {status.Attempt}: {status.Checkpoints}; {status.Failure}");
        return status;
    }

    /// <summary>Polls the job's status until <paramref name="done"/> holds; fails after <paramref name="timeout"/> (<see cref="Patience"/>) saying what it waited for.</summary>
    public async Task<JobStatus> WaitUntilAsync(Func<JobStatus, bool> done, string what, TimeSpan? timeout = null)
    {
        var limit = timeout ?? Patience;
        using var deadline = new CancellationTokenSource(limit);
        JobStatus? last = null;
        Exception? lastError = null;
        var delay = TimeSpan.FromMilliseconds(20);
        while (true)
        {
            try
            {
                last = await readStatus(deadline.Token);
                lastError = null;
                if (done(last))
                {
                    return last;
                }
            }
            catch (Exception ex) when (!deadline.IsCancellationRequested && IsTransient(ex))
            {
                lastError = ex;
            }
            catch (OperationCanceledException) when (deadline.IsCancellationRequested)
            {
            }

            try
            {
                await Task.Delay(delay, deadline.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"Waited {limit.TotalMinutes:0.#} min for {what} (job {jobId}); last status: {Describe(last)}{(lastError is null ? "" : $"; last error: {lastError.Message}")}");
            }

            delay = TimeSpan.FromMilliseconds(Math.Min(200, delay.TotalMilliseconds * 2));
        }
    }

    private JobStatus BeforeFault => _beforeFault ?? throw new InvalidOperationException("Call WaitUntilCheckpointedAsync before the fault.");

    /// <summary>What a status read can meet while a silo is dying or the job grain moves: worth asking again.</summary>
    private static bool IsTransient(Exception ex)
        => ex is OrleansException or TimeoutException or ClusterUnavailableException or StreamClientException and not JobNotFoundException and not InvalidJobException;

    private static string Describe(JobStatus? status)
        => status is null ? "none" : $"{status.State}, attempt {status.Attempt}, {status.Checkpoints}, {status.Failure}";
}
