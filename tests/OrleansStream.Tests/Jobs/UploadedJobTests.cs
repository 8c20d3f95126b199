using System.Runtime.CompilerServices;
using System.Runtime.Loader;
using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;
using OrleansStream.Contracts.Artifacts;
using OrleansStream.Contracts.Jobs;
using OrleansStream.Runtime.Jobs.Artifacts;
using OrleansStream.Tests.Cluster;
using OrleansStream.Tests.Fixtures;
using Xunit.Abstractions;

namespace OrleansStream.Tests.Jobs;

/// <summary>Jobs from an uploaded assembly on the three-silo cluster (memory storage): upload, run, errors, unloading.</summary>
[Collection(ClusterCollection.Name)]
public sealed class UploadedJobTests(ClusterFixture fixture, ITestOutputHelper output) : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("uploaded-jobs-").FullName;

    private StreamJobClient Jobs => fixture.Jobs;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task An_uploaded_job_runs_on_the_cluster_and_writes_exact_window_totals_of_its_own_record_types()
    {
        // The job's types exist only in the upload: the test process cannot load them.
        Assert.Null(Type.GetType($"{UploadedJobsAssembly.WindowJob}, OrleansStream.UploadedJobs"));
        Assert.DoesNotContain(AppDomain.CurrentDomain.GetAssemblies(), a => a.GetName().Name == "OrleansStream.UploadedJobs" && AssemblyLoadContext.GetLoadContext(a) == AssemblyLoadContext.Default);
        const long count = 5_000;
        var outputFile = Path.Combine(_directory, "totals.txt");
        var artifact = await Jobs.UploadArtifactFileAsync(UploadedJobsAssembly.Path);

        var submitted = await Jobs.SubmitAsync(JobSubmission.ForArtifact(artifact, UploadedJobsAssembly.WindowJob, parallelism: 3, Parameters(count, outputFile)));
        var status = await WaitAsync(submitted.JobId);

        Assert.Equal(JobState.Finished, status.State);
        Assert.Equal("OrderWindowJob", status.JobName);
        Assert.Equal(UploadedJobsAssembly.ExpectedWindowTotals(count), UploadedJobsAssembly.Sorted(File.ReadAllLines(outputFile)));
        Assert.Equal(count, status.RecordsOf("orders"));
    }

    [Fact]
    public async Task Uploading_the_same_bytes_twice_gives_the_same_id_and_stores_them_once()
    {
        var bytes = UploadedJobsAssembly.Read();
        var first = await Jobs.UploadArtifactAsync("first.dll", bytes);
        var store = SiloServices(0).GetRequiredService<JobArtifactStore>();
        var stored = await store.FindAsync(first.Id, CancellationToken.None);

        var second = await Jobs.UploadArtifactAsync("second.dll", bytes.ToArray());
        var again = await store.FindAsync(first.Id, CancellationToken.None);

        Assert.Equal(first.Id, second.Id);
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes)), first.Id);
        Assert.Equal("second.dll", second.FileName);
        Assert.NotNull(stored);
        Assert.Equal(stored.Value.ETag, again!.Value.ETag);
        Assert.Equal(stored.Value.Manifest.UploadedAt, again.Value.Manifest.UploadedAt);
        Assert.Equal("OrleansStream.UploadedJobs", again.Value.Manifest.AssemblyName);
        Assert.Equal(bytes, await store.ReadContentAsync(second, CancellationToken.None));
    }

    [Fact]
    public async Task A_job_type_missing_from_the_uploaded_assembly_is_refused_with_the_job_classes_it_has()
    {
        var artifact = await Jobs.UploadArtifactFileAsync(UploadedJobsAssembly.Path);

        var error = await Assert.ThrowsAsync<JobSubmissionException>(() =>
            Jobs.SubmitAsync(JobSubmission.ForArtifact(artifact, "OrleansStream.UploadedJobs.NoSuchJob", parameters: Parameters(1, Path.Combine(_directory, "x")))));

        output.WriteLine(error.Message);
        Assert.Contains("has no type 'OrleansStream.UploadedJobs.NoSuchJob'", error.Message);
        Assert.Contains($"{UploadedJobsAssembly.TotalsJob}, {UploadedJobsAssembly.WindowJob}", error.Message);
    }

    [Fact]
    public async Task A_type_of_the_uploaded_assembly_that_is_no_job_is_refused()
    {
        var artifact = await Jobs.UploadArtifactFileAsync(UploadedJobsAssembly.Path);

        var error = await Assert.ThrowsAsync<JobSubmissionException>(() =>
            Jobs.SubmitAsync(JobSubmission.ForArtifact(artifact, "OrleansStream.UploadedJobs.Order")));

        Assert.Contains("must implement IStreamJob", error.Message);
    }

    [Fact]
    public async Task A_submission_of_an_artifact_that_was_never_uploaded_is_refused_with_what_to_do()
    {
        var missing = new JobArtifact(new string('0', 64), "missing.dll");

        var error = await Assert.ThrowsAsync<JobSubmissionException>(() => Jobs.SubmitAsync(JobSubmission.ForArtifact(missing, UploadedJobsAssembly.WindowJob)));

        Assert.Contains("is not in the cluster's checkpoint storage", error.Message);
        Assert.Contains("UploadArtifactAsync", error.Message);
    }

    public static TheoryData<string, byte[], string> NotAssemblies => new()
    {
        { "empty.dll", [], "the file is empty" },
        { "readme.txt", "just some text, not a PE file"u8.ToArray(), "not a .NET assembly" },
        { "libnative.so", [0x7F, (byte)'E', (byte)'L', (byte)'F', 2, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0], "not a .NET assembly" },
    };

    [Theory]
    [MemberData(nameof(NotAssemblies))]
    public async Task Bytes_that_are_not_a_dotnet_assembly_are_refused_at_upload(string fileName, byte[] content, string expected)
    {
        var error = await Assert.ThrowsAsync<JobSubmissionException>(() => Jobs.UploadArtifactAsync(fileName, content));

        Assert.Contains(expected, error.Message);
        Assert.Contains($"'{fileName}' is not a .NET assembly", error.Message);
        Assert.Contains("Upload the compiled dll", error.Message);
    }

    [Fact]
    public async Task The_cluster_refuses_parts_whose_content_does_not_hash_to_the_artifact_id()
    {
        var bytes = UploadedJobsAssembly.Read();
        var upload = fixture.Cluster.GrainFactory.GetGrain<IJobArtifactGrain>(new string('a', 64));
        await upload.WritePartAsync(0, bytes);

        var error = await Assert.ThrowsAsync<JobSubmissionException>(() => upload.CompleteAsync("forged.dll", 1, bytes.Length));

        Assert.Contains("hash to", error.Message);
        Assert.False(await upload.IsStoredAsync());
    }

    [Fact]
    public async Task The_jobs_load_contexts_are_collected_on_every_silo_after_the_job_ends()
    {
        const long count = 3_000;
        var artifact = await Jobs.UploadArtifactFileAsync(UploadedJobsAssembly.Path);
        var parameters = Parameters(count, Path.Combine(_directory, "totals.txt"));

        // Held until the test has counted the contexts: they belong to a job that still runs.
        using var gate = SourceGate.Create();
        parameters[SourceGate.Parameter] = gate.Path;
        var submitted = await Jobs.SubmitAsync(JobSubmission.ForArtifact(artifact, UploadedJobsAssembly.WindowJob, parallelism: 3, parameters));

        // Deployed: the job grain's silo and every silo with a task have loaded the job into a context of its own.
        var contexts = WeakContextsOf(submitted.JobId);
        output.WriteLine($"{contexts.Count} load contexts while running");
        Assert.InRange(contexts.Count, 2, ClusterFixture.Silos);
        Assert.Equal(JobState.Running, (await Jobs.GetStatusAsync(submitted.JobId)).State);
        gate.Open();
        var status = await WaitAsync(submitted.JobId);
        Assert.Equal(JobState.Finished, status.State);

        var collected = await CollectAsync(contexts, TimeSpan.FromSeconds(30));

        Assert.True(collected, $"{contexts.Count(c => c.IsAlive)} of {contexts.Count} load contexts of job {submitted.JobId} are still alive");
        Assert.All(Enumerable.Range(0, ClusterFixture.Silos), silo => Assert.DoesNotContain(submitted.JobId, SiloServices(silo).GetRequiredService<JobAssemblyLoader>().HeldJobs));
    }

    [Fact]
    public void The_runtime_offers_the_hook_that_empties_system_text_json_caches_of_unloaded_job_types()
        => Assert.True(JobCodeCaches.CanClearJsonCaches, "System.Text.Json no longer has its Hot Reload ClearCache handler: unloaded jobs' load contexts may stay alive until a later serialization sweeps its caches");

    /// <summary>Not inlined, so that no local of the test method keeps a context alive.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static List<WeakReference> WeakContextsOf(string jobId)
        => AssemblyLoadContext.All.Where(c => c.Name == JobAssemblyLoader.ContextName(jobId)).Select(c => new WeakReference(c)).ToList();

    /// <summary>Collects garbage until every context is gone (unloading completes once nothing refers to the context's types) or the time is up.</summary>
    private static async Task<bool> CollectAsync(List<WeakReference> contexts, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (contexts.Any(c => c.IsAlive) && DateTime.UtcNow < deadline)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            GC.Collect();
            await Task.Delay(100);
        }

        return contexts.All(c => !c.IsAlive);
    }

    private IServiceProvider SiloServices(int silo) => ((InProcessSiloHandle)fixture.Cluster.Silos[silo]).SiloHost.Services;

    private static Dictionary<string, string> Parameters(long count, string outputPath) => new()
    {
        ["count"] = count.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["output"] = outputPath,
    };

    private async Task<JobStatus> WaitAsync(string jobId)
    {
        var status = await JobWatch.Of(Jobs, jobId).WaitForEndAsync();
        output.WriteLine($"{jobId}: {status.State} {status.Failure}");
        return status;
    }
}
