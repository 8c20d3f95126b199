using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;
using OrleansStream.Contracts.Jobs;
using OrleansStream.Runtime.Jobs.Artifacts;
using OrleansStream.Tests.Cluster;
using OrleansStream.Tests.Fixtures;
using Xunit.Abstractions;

namespace OrleansStream.Tests.Jobs;

/// <summary>An uploaded job on the three-silo PostgreSQL cluster: its assembly lives in PostgreSQL, so silos that never saw the upload run it.</summary>
[Collection(PostgresCollection.Name)]
public sealed class UploadedJobRecoveryTests(PostgresServer postgres, ITestOutputHelper output) : RecoveryClusterTest(postgres, output, "uploaded")
{
    [Fact]
    public async Task Killing_the_job_grains_silo_resumes_the_uploaded_job_from_its_checkpoint_on_silos_that_load_it_from_postgres()
    {
        const long count = 12_000;
        var artifact = await Cluster.Jobs.UploadArtifactFileAsync(UploadedJobsAssembly.Path);

        // Held at a quarter of its input: the job still runs when its job grain's silo is killed.
        var gate = NewGate(budget: count / 4);
        var submitted = await Cluster.Jobs.SubmitAsync(JobSubmission.ForArtifact(artifact, UploadedJobsAssembly.TotalsJob, parallelism: 2, new Dictionary<string, string>
        {
            ["count"] = count.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["rate"] = "3000",
            ["output"] = OutputDirectory,
            [SourceGate.Parameter] = gate.Path,
        }));

        // Output committed before the kill stays, so the exact totals below hold only if the restart resumed from a checkpoint.
        var watch = Watch(submitted.JobId, gate);
        var running = await watch.WaitUntilCheckpointedAfterInputAsync("orders");
        var supervisor = running.SupervisorSilo!;
        Output.WriteLine($"killing the job grain's silo {supervisor} after {running.Checkpoints.Completed} checkpoints; a new silo joins");
        await Cluster.KillAsync(Cluster.SiloOf(supervisor));
        await Cluster.Cluster.StartAdditionalSiloAsync();
        await watch.WaitUntilRestartedAsync();
        gate.Open();

        var status = await watch.WaitForEndAsync();

        Assert.Equal(JobState.Finished, status.State);
        Assert.NotEqual(supervisor, status.SupervisorSilo);
        Assert.True(status.Attempt >= 2);
        Assert.Equal(UploadedJobsAssembly.ExpectedRunningTotals(count), Committed());
    }

    [Fact]
    public async Task A_multi_megabyte_assembly_is_stored_in_parts_in_postgres_and_read_back_identically_by_every_silo()
    {
        var (name, content) = UploadedJobStorageTests.LargeAssembly();

        var artifact = await Cluster.Jobs.UploadArtifactAsync(name, content);
        var again = await Cluster.Jobs.UploadArtifactAsync(name, content);

        Assert.Equal(artifact.Id, again.Id);
        foreach (var silo in Cluster.Cluster.Silos)
        {
            var store = ((InProcessSiloHandle)silo).SiloHost.Services.GetRequiredService<JobArtifactStore>();
            Assert.Equal(content, await store.ReadContentAsync(artifact, CancellationToken.None));
        }
    }
}
