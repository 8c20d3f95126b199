using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;
using OrleansStream.Runtime.Jobs;
using OrleansStream.Runtime.Jobs.Artifacts;
using OrleansStream.Tests.Cluster;
using OrleansStream.Tests.Fixtures;
using Xunit.Abstractions;

namespace OrleansStream.Tests.Jobs;

/// <summary>An uploaded job on the three-silo PostgreSQL cluster: its assembly lives in PostgreSQL, so silos that never saw the upload run it.</summary>
[Collection(PostgresCollection.Name)]
public sealed class UploadedJobRecoveryTests(PostgresServer postgres, ITestOutputHelper output) : IAsyncLifetime
{
    private readonly string _output = Path.Combine(Path.GetTempPath(), "orleansstream-uploaded-recovery-" + Guid.NewGuid().ToString("N")[..8]);
    private RecoveryCluster _cluster = null!;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_output);
        _cluster = await RecoveryCluster.StartAsync(postgres, "uploaded_" + Guid.NewGuid().ToString("N")[..8]);
    }

    public async Task DisposeAsync()
    {
        await _cluster.DisposeAsync();
        Directory.Delete(_output, recursive: true);
    }

    [Fact]
    public async Task Killing_the_job_grains_silo_resumes_the_uploaded_job_from_its_checkpoint_on_silos_that_load_it_from_postgres()
    {
        const long count = 12_000;
        var artifact = await _cluster.Jobs.UploadArtifactFileAsync(UploadedJobsAssembly.Path);
        var submitted = await _cluster.Jobs.SubmitAsync(JobSubmission.ForArtifact(artifact, UploadedJobsAssembly.TotalsJob, parallelism: 2, new Dictionary<string, string>
        {
            ["count"] = count.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["rate"] = "3000",
            ["output"] = _output,
        }));
        // Killed once a checkpoint is complete and the job still runs: output committed before the kill stays,
        // so the exact totals below hold only if the restart resumed from a checkpoint.
        var running = await _cluster.Jobs.GetStatusAsync(submitted.JobId);
        using (var firstCheckpoint = new CancellationTokenSource(TimeSpan.FromSeconds(30)))
        {
            while (running.Checkpoints.Completed == 0)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(20), firstCheckpoint.Token);
                running = await _cluster.Jobs.GetStatusAsync(submitted.JobId);
            }
        }

        Assert.False(running.IsTerminal, $"the job ended before it could be killed: raise its count or lower its rate ({running.State})");
        var supervisor = running.SupervisorSilo!;
        output.WriteLine($"killing the job grain's silo {supervisor} after {running.Checkpoints.Completed} checkpoints; a new silo joins");
        await _cluster.KillAsync(_cluster.SiloOf(supervisor));
        await _cluster.Cluster.StartAdditionalSiloAsync();

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var status = await _cluster.Jobs.WaitForCompletionAsync(submitted.JobId, timeout.Token);
        output.WriteLine($"{status.State} after attempt {status.Attempt} on {status.SupervisorSilo}: {status.Checkpoints} {status.Failure}");

        Assert.Equal(JobState.Finished, status.State);
        Assert.NotEqual(supervisor, status.SupervisorSilo);
        Assert.True(status.Attempt >= 2);
        Assert.Equal(UploadedJobsAssembly.ExpectedRunningTotals(count), RollingCountJob.Committed(_output));
    }

    [Fact]
    public async Task A_multi_megabyte_assembly_is_stored_in_parts_in_postgres_and_read_back_identically_by_every_silo()
    {
        var (name, content) = UploadedJobStorageTests.LargeAssembly();

        var artifact = await _cluster.Jobs.UploadArtifactAsync(name, content);
        var again = await _cluster.Jobs.UploadArtifactAsync(name, content);

        Assert.Equal(artifact.Id, again.Id);
        foreach (var silo in _cluster.Cluster.Silos)
        {
            var store = ((InProcessSiloHandle)silo).SiloHost.Services.GetRequiredService<JobArtifactStore>();
            Assert.Equal(content, await store.ReadContentAsync(artifact, CancellationToken.None));
        }
    }
}
