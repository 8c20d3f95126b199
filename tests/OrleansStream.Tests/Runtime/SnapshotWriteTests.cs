using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;
using Orleans.TestingHost;
using OrleansStream.Api;
using OrleansStream.Connectors.Discard;
using OrleansStream.Connectors.Generator;
using OrleansStream.Contracts.Jobs;
using OrleansStream.Runtime.Hosting;
using OrleansStream.Runtime.Storage;
using OrleansStream.Tests.Fixtures;

namespace OrleansStream.Tests.Runtime;

/// <summary>A keyed rolling count with checkpoints every 50 ms, so that keyed state chunks are written while it runs and at its end.</summary>
public sealed class CheckpointedCountJob : IStreamJob
{
    public void Build(StreamBuilder builder)
    {
        builder.EnableCheckpointing(TimeSpan.FromMilliseconds(50));
        builder.FromSource(GeneratorSource.FromIndex(i => i, 20_000).WithRateLimit(20_000), "numbers")
            .KeyBy(i => i % 100)
            .Reduce((a, b) => a + b, "rolling sum")
            .SinkTo(new DiscardingSink<long>(), "discard");
    }
}

/// <summary>
/// Keyed state chunks are written on the thread pool, not on the task grain's scheduler: with a
/// storage client whose I/O is synchronous, a write on the grain's scheduler held the task's turn for
/// the whole write (seconds for large state), so the task stopped processing during every checkpoint.
/// </summary>
public sealed class SnapshotWriteTests : IAsyncLifetime
{
    private TestCluster _cluster = null!;

    public async Task InitializeAsync()
    {
        var builder = new TestClusterBuilder(1);
        builder.AddSiloBuilderConfigurator<SiloConfigurator>();
        _cluster = builder.Build();
        await _cluster.DeployAsync();
    }

    public async Task DisposeAsync()
    {
        await _cluster.StopAllSilosAsync();
        await _cluster.DisposeAsync();
    }

    [Fact]
    public async Task Keyed_state_chunks_are_written_off_the_task_grains_scheduler()
    {
        var jobs = new StreamJobClient(_cluster.GrainFactory);
        var submitted = await jobs.SubmitAsync(JobSubmission.For<CheckpointedCountJob>(2));
        var status = await JobWatch.Of(jobs, submitted.JobId).WaitForEndAsync();

        Assert.Equal(JobState.Finished, status.State);
        var silo = ((InProcessSiloHandle)_cluster.Primary!).SiloHost.Services;
        var storage = (SchedulerRecordingStorage)silo.GetRequiredKeyedService<IGrainStorage>(OrleansStreamStorage.ProviderName);
        Assert.NotEmpty(storage.ChunkWritesOnGrainScheduler);
        Assert.DoesNotContain(true, storage.ChunkWritesOnGrainScheduler);
    }

    private sealed class SiloConfigurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder siloBuilder)
        {
            siloBuilder.AddOrleansStream();
            siloBuilder.UseInMemoryReminderService();
            siloBuilder.UseTaskSlots(2);
            siloBuilder.Services.AddKeyedSingleton<IGrainStorage, SchedulerRecordingStorage>(OrleansStreamStorage.ProviderName);
        }
    }
}
