using Microsoft.Extensions.DependencyInjection;
using OrleansStream.Contracts.Artifacts;
using OrleansStream.Contracts.Jobs;
using OrleansStream.Runtime.Hosting;
using OrleansStream.Runtime.Jobs.Artifacts;
using OrleansStream.Tests.Fixtures;

namespace OrleansStream.Tests.Jobs;

/// <summary>Uploaded job assemblies in SQLite checkpoint storage: several parts, and still there for a cluster started later on the same file.</summary>
public sealed class UploadedJobStorageTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("uploaded-storage-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    /// <summary>The largest assembly beside the tests (several MiB): any .NET assembly uploads, job or not.</summary>
    public static (string Name, byte[] Content) LargeAssembly()
    {
        var path = Directory.GetFiles(AppContext.BaseDirectory, "*.dll").OrderByDescending(f => new FileInfo(f).Length).First();
        var content = File.ReadAllBytes(path);
        Assert.True(content.Length > 2 * JobArtifactStore.PartBytes, $"{path} is too small to need several parts");
        return (Path.GetFileName(path), content);
    }

    [Fact]
    public async Task A_multi_megabyte_assembly_is_stored_in_parts_and_read_back_identically()
    {
        var (name, content) = LargeAssembly();
        await using var cluster = await LocalCluster.StartAsync(stateDatabase: Path.Combine(_directory, "state.db"));

        var artifact = await cluster.Jobs.UploadArtifactAsync(name, content);

        var store = cluster.Services(0).GetRequiredService<JobArtifactStore>();
        var (manifest, _) = (await store.FindAsync(artifact.Id, CancellationToken.None))!.Value;
        Assert.Equal(JobArtifactStore.PartCount(content.Length), manifest.Parts);
        Assert.Equal(content, await store.ReadContentAsync(artifact, CancellationToken.None));
    }

    [Fact]
    public async Task A_job_uploaded_to_one_cluster_runs_on_a_cluster_started_later_on_the_same_database()
    {
        const long count = 2_000;
        var database = Path.Combine(_directory, "state.db");
        var outputFile = Path.Combine(_directory, "totals.txt");
        JobArtifact artifact;
        await using (var first = await LocalCluster.StartAsync(stateDatabase: database))
        {
            artifact = await first.Jobs.UploadArtifactFileAsync(UploadedJobsAssembly.Path);
        }

        await using var second = await LocalCluster.StartAsync(silos: 2, stateDatabase: database);
        var submitted = await second.Jobs.SubmitAsync(JobSubmission.ForArtifact(artifact, UploadedJobsAssembly.WindowJob, parallelism: 2, new Dictionary<string, string>
        {
            ["count"] = count.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["output"] = outputFile,
        }));
        var status = await JobWatch.Of(second.Jobs, submitted.JobId).WaitForEndAsync();

        Assert.Equal(JobState.Finished, status.State);
        Assert.Equal(UploadedJobsAssembly.ExpectedWindowTotals(count), UploadedJobsAssembly.Sorted(File.ReadAllLines(outputFile)));
    }
}
