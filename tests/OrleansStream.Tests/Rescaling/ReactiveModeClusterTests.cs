using OrleansStream.Contracts.Jobs;
using OrleansStream.Contracts.Rescaling;
using OrleansStream.Tests.Cluster;
using OrleansStream.Tests.Fixtures;
using Xunit.Abstractions;

namespace OrleansStream.Tests.Rescaling;

/// <summary>
/// Reactive mode on the three-silo PostgreSQL cluster (two slots each): an adaptive job runs at what the free slots
/// allow, restarts at what is left when a silo dies, scales up when a silo joins, and commits exactly the result of a
/// failure-free run throughout.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class ReactiveModeClusterTests(PostgresServer postgres, ITestOutputHelper output) : RecoveryClusterTest(postgres, output, "reactive")
{
    private const long Count = 24_000;
    private const int AllSlots = RecoveryCluster.Silos * RecoveryCluster.SlotsPerSilo;

    [Fact]
    public async Task An_adaptive_job_takes_the_free_slots_and_restarts_on_those_left_when_a_silo_dies()
    {
        var gate = NewGate(budget: Count / AllSlots / 4);
        var job = await Cluster.Jobs.SubmitAsync(JobSubmission.For<RollingCountJob>(Parallelism.Adaptive(8), Parameters(Count, rate: 1_000, gate)));
        Assert.All(job.Vertices, v => Assert.Equal(AllSlots, v.Parallelism));

        var watch = Watch(job.JobId, gate);
        await KillATaskSiloAndWaitForTheRestartAsync(watch, "numbers");
        var restarted = await Cluster.Jobs.GetStatusAsync(job.JobId);
        int left = AllSlots - RecoveryCluster.SlotsPerSilo;
        Assert.All(restarted.Vertices, v => Assert.Equal(left, v.Parallelism));
        var rescale = Assert.Single(restarted.Rescales!);
        Assert.Equal((RescaleTrigger.Reactive, RescaleState.Completed), (rescale.Trigger, rescale.State));

        gate.Open();
        var status = await watch.WaitForEndAsync();
        Assert.Equal(JobState.Finished, status.State);
        Assert.Equal(RollingCountJob.Expected(Count), Committed());
    }

    [Fact]
    public async Task An_adaptive_job_scales_up_live_when_a_silo_joins_once_the_slots_have_settled()
    {
        // Sixteen splits, so that the source's new readers are handed some.
        var gate = NewGate(budget: Count / AllSlots / 4);
        var parameters = Parameters(Count, rate: 1_000, gate);
        parameters["splits"] = "16";
        var job = await Cluster.Jobs.SubmitAsync(JobSubmission.For<RollingCountJob>(Parallelism.Adaptive(8), parameters));
        var watch = Watch(job.JobId, gate);
        await watch.WaitUntilCheckpointedAfterInputAsync("numbers");

        await Cluster.Cluster.StartAdditionalSiloAsync();
        var grown = await watch.WaitUntilAsync(s => s.Rescales is [.., { State: not RescaleState.InProgress }], "the job rescaled to the joined silo's slots");
        var rescale = grown.Rescales![^1];
        Output.WriteLine($"rescale {rescale.Id}: {rescale.Trigger} {rescale.Mode} {string.Join(", ", rescale.Vertices)}: {rescale.State} {rescale.Failure} ({rescale.Reason})");
        Assert.Equal((RescaleTrigger.Reactive, RescaleMode.Live, RescaleState.Completed), (rescale.Trigger, rescale.Mode, rescale.State));
        Assert.All(rescale.Vertices, v => Assert.Equal((AllSlots, 8), (v.From, v.To)));
        Assert.True(rescale.SplitsMoved > 0 && rescale.KeyGroupsMoved > 0, $"{rescale.SplitsMoved} splits and {rescale.KeyGroupsMoved} key groups moved");

        gate.Open();
        var status = await watch.WaitForEndAsync();
        Assert.Equal(JobState.Finished, status.State);
        Assert.Equal((1, 0), (status.Attempt, status.Checkpoints.Restarts));
        Assert.All(status.Vertices, v => Assert.Equal(8, v.Parallelism));
        Assert.Equal(RollingCountJob.Expected(Count), Committed());
    }
}
