using Orleans.TestingHost;
using OrleansStream.Contracts.Cluster;
using OrleansStream.Contracts.Jobs;

namespace OrleansStream.Tests.Cluster;

/// <summary>One silo with three task slots, and nothing else running on it.</summary>
public sealed class ThreeSlotClusterFixture : SingleSiloFixture<ThreeSlotClusterFixture.Configurator>
{
    public sealed class Configurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder siloBuilder) => siloBuilder.AddOrleansStreamInMemory(slots: 3);
    }
}

/// <summary>
/// A job holds its task slots from its submission until it ends: a job that needs more than are free is refused with
/// the numbers, instead of being squeezed onto slots other jobs hold; the slots of a job that ended are free again.
/// </summary>
public sealed class SlotReservationClusterTests(ThreeSlotClusterFixture fixture) : IClassFixture<ThreeSlotClusterFixture>
{
    [Fact]
    public async Task A_job_gets_free_slots_or_a_refusal_and_an_ended_jobs_slots_are_free_again()
    {
        var first = await fixture.Jobs.SubmitAsync(Endless(2));

        var refused = await Assert.ThrowsAsync<InsufficientSlotsException>(() => fixture.Jobs.SubmitAsync(Endless(2)));
        var fits = await fixture.Jobs.SubmitAsync(Endless(1));
        await fixture.Jobs.CancelAsync(first.JobId);
        var afterwards = await fixture.Jobs.SubmitAsync(Endless(2));

        Assert.Equal("needs 2 task slots (its largest parallelism) but 1 of the cluster's 3 are free (1 silo; the other running jobs hold 2). Lower the parallelism, wait for a job to end, or add silos or slots.",
            refused.Message[(refused.Message.IndexOf("needs", StringComparison.Ordinal))..]);
        Assert.Equal(JobState.Running, fits.State);
        Assert.Equal(JobState.Running, afterwards.State);
        await fixture.Jobs.CancelAsync(fits.JobId);
        await fixture.Jobs.CancelAsync(afterwards.JobId);
    }

    private static JobSubmission Endless(int parallelism) => JobSubmission.ForTopology("""
        steps:
          - { type: source, connector: generator, line: '"x"', rate: 10 }
          - { type: split, fields: { x: string } }
          - { type: sink, connector: discard }
        """, "endless.yaml", parallelism);
}
