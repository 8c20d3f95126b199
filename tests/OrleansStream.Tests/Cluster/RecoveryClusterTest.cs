using OrleansStream.Contracts.Jobs;
using OrleansStream.Contracts.Rescaling;
using OrleansStream.Tests.Fixtures;
using Xunit.Abstractions;

namespace OrleansStream.Tests.Cluster;

/// <summary>
/// Base of test classes that run jobs on a <see cref="RecoveryCluster"/> of their own (xunit makes a class
/// instance, and so a cluster, per test) with a directory for the jobs' committed files, and kill silos under them.
/// </summary>
public abstract class RecoveryClusterTest(PostgresServer postgres, ITestOutputHelper output, string name) : IAsyncLifetime
{
    private readonly List<SourceGate> _gates = [];

    protected string OutputDirectory { get; } = Path.Combine(Path.GetTempPath(), $"orleansstream-{name}-" + Guid.NewGuid().ToString("N")[..8]);

    protected RecoveryCluster Cluster { get; private set; } = null!;

    protected ITestOutputHelper Output => output;

    /// <summary>How often a job's supervision reminder fires in this test's cluster; null, RecoveryCluster's 2 s.</summary>
    protected virtual TimeSpan? JobReminderPeriod => null;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(OutputDirectory);
        Cluster = await RecoveryCluster.StartAsync(postgres, $"{name}_" + Guid.NewGuid().ToString("N")[..8], JobReminderPeriod);
    }

    public async Task DisposeAsync()
    {
        await Cluster.DisposeAsync();
        Directory.Delete(OutputDirectory, recursive: true);
        foreach (var gate in _gates)
        {
            gate.Dispose();
        }
    }

    /// <summary>The lines of the committed (visible) files in <see cref="OutputDirectory"/>, sorted.</summary>
    protected List<string> Committed() => RollingCountJob.Committed(OutputDirectory);

    /// <summary>The parameters of a <see cref="RollingCountJob"/> over <paramref name="count"/> numbers read at <paramref name="rate"/> per reader (0: unlimited).</summary>
    protected Dictionary<string, string> Parameters(long count, long rate, SourceGate? gate, string? output = null)
    {
        var parameters = new Dictionary<string, string>
        {
            ["count"] = count.ToString(),
            ["rate"] = rate.ToString(),
            ["output"] = output ?? OutputDirectory,
        };
        if (gate is not null)
        {
            parameters[SourceGate.Parameter] = gate.Path;
        }

        return parameters;
    }

    /// <summary>A closed gate for a job of this test (see <see cref="SourceGate.Create"/>), removed with the test.</summary>
    protected SourceGate NewGate(long budget = long.MaxValue)
    {
        var gate = SourceGate.Create(budget);
        _gates.Add(gate);
        return gate;
    }

    /// <summary>Follows a job of this test's cluster, held by <paramref name="gate"/> if it has one.</summary>
    protected JobWatch Watch(string jobId, SourceGate? gate = null) => JobWatch.Of(Cluster.Jobs, jobId, output, gate);

    /// <summary>Waits until the job ends (or <see cref="JobWatch.JobPatience"/> fails the test) and logs how it ended.</summary>
    protected Task<JobStatus> WaitForEndAsync(string jobId) => Watch(jobId).WaitForEndAsync();

    /// <summary>
    /// Kills a silo that runs tasks of the job but not its job grain (<see cref="RecoveryCluster.TaskSiloOf"/>), once
    /// <paramref name="watch"/> has asserted that the job runs with a completed checkpoint taken after its source
    /// <paramref name="sourceName"/> read input; then waits until the job runs again, restarted and restored.
    /// </summary>
    protected async Task KillATaskSiloAndWaitForTheRestartAsync(JobWatch watch, string sourceName, int checkpoints = 1, Random? random = null)
    {
        var before = await watch.WaitUntilCheckpointedAfterInputAsync(sourceName, checkpoints);
        var victim = Cluster.TaskSiloOf(before, random);
        output.WriteLine($"killing {victim.SiloAddress} in attempt {before.Attempt} after {before.Checkpoints.Completed} checkpoints");
        await Cluster.KillAsync(victim);
        await watch.WaitUntilRestartedAsync();
    }

    /// <summary>Rescales a running job of this test's cluster and asserts that the rescale completed, in <paramref name="mode"/>; logs what it did.</summary>
    protected async Task<RescaleInfo> RescaleAsync(string jobId, RescaleRequest request, RescaleMode mode)
    {
        var rescale = await Cluster.Jobs.RescaleAsync(jobId, request, JobWatch.Patience);
        output.WriteLine($"rescale {rescale.Id} ({rescale.Mode}{(rescale.Reason is { } reason ? ", " + reason : "")}): {string.Join(", ", rescale.Vertices)} " +
            $"in {rescale.Duration?.TotalMilliseconds:0} ms, {rescale.KeyGroupsMoved} key groups, {rescale.SplitsMoved} splits, {rescale.BytesMoved} bytes, {rescale.HeldRecords} records held, " +
            $"longest pause {rescale.LongestPause.TotalMilliseconds:0} ms");
        Assert.Equal((mode, RescaleState.Completed), (rescale.Mode, rescale.State));
        return rescale;
    }

    /// <summary>
    /// Rescales the job <paramref name="watch"/> follows four times while <paramref name="gate"/> holds its input, each
    /// after a checkpoint: the keyed <paramref name="keyedVertex"/> live to 3; the whole job live to 3 (the source hands
    /// splits to its new reader); the source <paramref name="source"/> alone live to 1 (the others hand it all their
    /// splits and finish); the whole job to 3 again, by a restart from a savepoint (the source's subtasks 1 and 2 were
    /// retired in this attempt), through which the sources' progress goes. Then opens the gate and asserts that the job
    /// finished at 3 without a failure. The source needs more than three splits.
    /// </summary>
    protected async Task RescaleLiveAndByARestartAsync(JobWatch watch, string jobId, SourceGate gate, string source, string keyedVertex = "rolling count")
    {
        await RescaleAsync(jobId, Vertices((keyedVertex, 3)), RescaleMode.Live);
        await watch.WaitUntilCheckpointedAsync(what: "the keyed vertex's rescale");
        var up = await RescaleAsync(jobId, RescaleRequest.ToParallelism(3), RescaleMode.Live);
        Assert.True(up.SplitsMoved > 0, "the new reader should have been handed splits");
        await watch.WaitUntilCheckpointedAsync(what: "the source's scale-up");
        var down = await RescaleAsync(jobId, Vertices((source, 1)), RescaleMode.Live);
        Assert.True(down.SplitsMoved > 0, "the retired readers should have handed their splits over");
        await watch.WaitUntilCheckpointedAsync(what: "the source's scale-down");
        var again = await RescaleAsync(jobId, RescaleRequest.ToParallelism(3), RescaleMode.Restart);
        Assert.Contains("retired", again.Reason);
        gate.Open();

        var status = await watch.WaitForEndAsync();

        Assert.Equal(JobState.Finished, status.State);
        Assert.Equal(2, status.Attempt);
        Assert.Equal(0, status.Checkpoints.Restarts);
        Assert.All(status.Vertices, v => Assert.Equal(3, v.Parallelism));
    }

    protected static RescaleRequest Vertices(params (string Vertex, int Parallelism)[] vertices)
        => RescaleRequest.ForVertices(vertices.ToDictionary(v => v.Vertex, v => v.Parallelism));
}
