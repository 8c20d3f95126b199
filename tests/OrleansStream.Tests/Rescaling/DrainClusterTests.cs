using OrleansStream.Contracts.Jobs;
using OrleansStream.Contracts.Rescaling;
using OrleansStream.Tests.Cluster;
using OrleansStream.Tests.Fixtures;
using Xunit.Abstractions;

namespace OrleansStream.Tests.Rescaling;

/// <summary>
/// Silos that stop gracefully on the three-silo PostgreSQL cluster (a rolling update, a scale-in): the jobs they
/// supervise or run subtasks of go on elsewhere without failing, and commit exactly the failure-free result.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class DrainClusterTests(PostgresServer postgres, ITestOutputHelper output) : RecoveryClusterTest(postgres, output, "drain")
{
    private const long Count = 24_000;

    [Fact]
    public async Task A_silo_that_stops_gracefully_hands_the_job_it_supervises_over_and_moves_its_subtasks_live_without_a_failure()
    {
        // Four of the six slots, spread over the three silos: the supervising silo runs subtasks too, and the other two have room for them.
        var gate = NewGate(budget: Count / 4 / 4);
        var job = await Cluster.Jobs.SubmitAsync(JobSubmission.For<RollingCountJob>(4, Parameters(Count, rate: 1_000, gate)));
        var watch = Watch(job.JobId, gate);
        var before = await watch.WaitUntilCheckpointedAfterInputAsync("numbers");

        var supervisor = Cluster.SiloOf(before.SupervisorSilo!);
        int running = before.Vertices.SelectMany(v => v.Slots).Count(s => s == before.SupervisorSilo);
        Output.WriteLine($"stopping {supervisor.SiloAddress} gracefully; it supervises the job and runs {running} of its subtasks");
        Assert.True(running > 0, "the supervising silo should run subtasks of the job");
        await Cluster.Cluster.StopSiloAsync(supervisor);
        var moved = await watch.WaitUntilAsync(s => s.SupervisorSilo != before.SupervisorSilo && s.State == JobState.Running, "another silo supervises the job");
        Assert.DoesNotContain(before.SupervisorSilo, moved.Vertices.SelectMany(v => v.Slots));

        gate.Open();
        var status = await watch.WaitForEndAsync();
        Assert.Equal(JobState.Finished, status.State);
        // A drain restarts nothing: the subtasks moved with their state, under the same attempt.
        Assert.Equal(0, status.Checkpoints.Restarts);
        Assert.Equal(before.Attempt, status.Attempt);
        var drain = Assert.Single(status.Rescales ?? []);
        Output.WriteLine(Describe(drain));
        Assert.Equal((RescaleTrigger.Drain, RescaleMode.Live, RescaleState.Completed), (drain.Trigger, drain.Mode, drain.State));
        Assert.Equal(running, drain.SubtasksMoved);
        Assert.Equal(RollingCountJob.Expected(Count), Committed());
    }

    [Fact]
    public async Task A_rolling_update_of_every_silo_moves_the_running_job_live_each_time_and_it_commits_exactly_the_expected_counts()
    {
        // Four of the six slots: before each silo stops, a new one joins, so the others always have room for its slots.
        var gate = NewGate(budget: Count / 4 / 4);
        var job = await Cluster.Jobs.SubmitAsync(JobSubmission.For<RollingCountJob>(4, Parameters(Count, rate: 1_000, gate)));
        var watch = Watch(job.JobId, gate);
        await watch.WaitUntilCheckpointedAfterInputAsync("numbers");

        var original = Cluster.Cluster.Silos.ToList();
        foreach (var silo in original)
        {
            await Cluster.Cluster.StartAdditionalSiloAsync();
            var before = await watch.WaitUntilCheckpointedAsync(what: $"the job runs before {silo.SiloAddress} stops");
            Output.WriteLine($"stopping {silo.SiloAddress}; it runs {before.Vertices.SelectMany(v => v.Slots).Count(s => s == silo.SiloAddress.ToString())} subtasks of the job");
            await Cluster.Cluster.StopSiloAsync(silo);
        }

        var updated = await Cluster.Jobs.GetStatusAsync(job.JobId);
        Assert.Equal(JobState.Running, updated.State);
        Assert.DoesNotContain(updated.Vertices.SelectMany(v => v.Slots), slot => original.Any(silo => silo.SiloAddress.ToString() == slot));

        gate.Open();
        var status = await watch.WaitForEndAsync();
        Assert.Equal(JobState.Finished, status.State);
        Assert.Equal(1, status.Attempt);
        Assert.Equal(0, status.Checkpoints.Restarts);
        var drains = status.Rescales ?? [];
        drains.ToList().ForEach(drain => Output.WriteLine(Describe(drain)));
        Assert.NotEmpty(drains);
        Assert.All(drains, drain => Assert.Equal((RescaleTrigger.Drain, RescaleMode.Live, RescaleState.Completed), (drain.Trigger, drain.Mode, drain.State)));
        Assert.Equal(RollingCountJob.Expected(Count), Committed());
    }

    private static string Describe(RescaleInfo rescale)
        => $"rescale {rescale.Id}: {rescale.Trigger} {rescale.Mode}: {rescale.State}, {rescale.SubtasksMoved} subtasks moved, longest pause {rescale.LongestPause.TotalMilliseconds:F0} ms ({rescale.Reason}{rescale.Failure})";

    [Fact]
    public async Task An_adaptive_job_shrinks_to_the_slots_left_when_a_silo_it_runs_on_is_drained()
    {
        const int allSlots = RecoveryCluster.Silos * RecoveryCluster.SlotsPerSilo;
        var gate = NewGate(budget: Count / allSlots / 4);
        var job = await Cluster.Jobs.SubmitAsync(JobSubmission.For<RollingCountJob>(Parallelism.Adaptive(8), Parameters(Count, rate: 1_000, gate)));
        var watch = Watch(job.JobId, gate);
        var before = await watch.WaitUntilCheckpointedAfterInputAsync("numbers");

        var leaving = Cluster.TaskSiloOf(before);
        await Cluster.Cluster.StopSiloAsync(leaving);
        var drained = await Cluster.Jobs.GetStatusAsync(job.JobId);
        var drain = Assert.Single(drained.Rescales ?? []);
        Output.WriteLine($"rescale {drain.Id}: {drain.Trigger} {drain.Mode} {string.Join(", ", drain.Vertices)}: {drain.State} ({drain.Reason})");
        Assert.Equal((RescaleTrigger.Drain, RescaleState.Completed), (drain.Trigger, drain.State));
        Assert.All(drained.Vertices, v => Assert.Equal(allSlots - RecoveryCluster.SlotsPerSilo, v.Parallelism));
        Assert.DoesNotContain(leaving.SiloAddress.ToString(), drained.Vertices.SelectMany(v => v.Slots));

        gate.Open();
        var status = await watch.WaitForEndAsync();
        Assert.Equal(JobState.Finished, status.State);
        // A drain restarts nothing: no subtask the move started is activated a second time when the silo leaves.
        Assert.Equal(0, status.Checkpoints.Restarts);
        Assert.Equal(RollingCountJob.Expected(Count), Committed());
    }
}
