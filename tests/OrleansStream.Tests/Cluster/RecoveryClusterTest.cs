using OrleansStream.Contracts.Jobs;
using OrleansStream.Tests.Fixtures;
using Xunit.Abstractions;

namespace OrleansStream.Tests.Cluster;

/// <summary>
/// Base of test classes that run jobs on a <see cref="RecoveryCluster"/> of their own (xunit makes a class
/// instance, and so a cluster, per test) with a directory for the jobs' committed files, and kill silos under them.
/// </summary>
public abstract class RecoveryClusterTest(PostgresServer postgres, ITestOutputHelper output, string name) : IAsyncLifetime
{
    protected string OutputDirectory { get; } = Path.Combine(Path.GetTempPath(), $"orleansstream-{name}-" + Guid.NewGuid().ToString("N")[..8]);

    protected RecoveryCluster Cluster { get; private set; } = null!;

    protected ITestOutputHelper Output => output;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(OutputDirectory);
        Cluster = await RecoveryCluster.StartAsync(postgres, $"{name}_" + Guid.NewGuid().ToString("N")[..8]);
    }

    public async Task DisposeAsync()
    {
        await Cluster.DisposeAsync();
        Directory.Delete(OutputDirectory, recursive: true);
    }

    /// <summary>The lines of the committed (visible) files in <see cref="OutputDirectory"/>, sorted.</summary>
    protected List<string> Committed() => RollingCountJob.Committed(OutputDirectory);

    /// <summary>Waits until the job ends (or the timeout, 90 s by default, fails the test) and logs how it ended.</summary>
    protected async Task<JobStatus> WaitForEndAsync(string jobId, TimeSpan? timeout = null)
    {
        using var cancel = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(90));
        var status = await Cluster.Jobs.WaitForCompletionAsync(jobId, cancel.Token);
        output.WriteLine($"{status.State} after attempt {status.Attempt}: {status.Checkpoints} {status.Failure}");
        return status;
    }

    /// <summary>
    /// Once the job has completed <paramref name="checkpoints"/> checkpoints, kills a silo that runs some of its tasks
    /// but not its job grain (that case has tests of its own). Fails if the job ended first.
    /// </summary>
    protected async Task KillTaskSiloAfterCheckpointsAsync(string jobId, int checkpoints)
    {
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var status = await Cluster.Jobs.WaitUntilAsync(jobId, s => s.Checkpoints.Completed >= checkpoints || s.IsTerminal, cancel.Token);
        Assert.False(status.IsTerminal, $"the job ended ({status.State}) before it could be killed: raise its count or lower its rate");
        var victim = Cluster.Cluster.Silos.First(s => s.SiloAddress.ToString() != status.SupervisorSilo
            && status.Vertices.SelectMany(v => v.Slots).Contains(s.SiloAddress.ToString()));
        output.WriteLine($"killing {victim.SiloAddress} at {status.Checkpoints.Completed} checkpoints");
        await Cluster.KillAsync(victim);
    }
}
