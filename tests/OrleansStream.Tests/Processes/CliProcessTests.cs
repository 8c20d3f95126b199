using OrleansStream.Tests.Fixtures;
using OrleansStream.Tests.Jobs;
using Xunit.Abstractions;

namespace OrleansStream.Tests.Processes;

/// <summary>
/// The orleansstream command against one silo process: an uploaded job assembly runs without a
/// redeploy, and each kind of failure gives one line on standard error that names the problem and
/// an exit code of its own.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class CliProcessTests(PostgresServer postgres, ITestOutputHelper output) : IAsyncLifetime
{
    private SiloProcessCluster _cluster = null!;

    public async Task InitializeAsync() => _cluster = await SiloProcessCluster.StartAsync(postgres, "cli", silos: 1, slotsPerSilo: 2);

    public Task DisposeAsync()
    {
        _cluster.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task A_job_assembly_uploaded_with_submit_runs_on_a_silo_that_never_had_it()
    {
        await _cluster.WithOutputOnFailureAsync(output, async () =>
        {
            await _cluster.WaitUntilActiveAsync();
            var outputFile = Path.Combine(_cluster.Directory, "totals.txt");

            var run = await CliProcess.RunAsync([
                "submit", "--assembly", UploadedJobsAssembly.Path, UploadedJobsAssembly.WindowJob, "--parallelism", "2",
                "--param", "count=2000", "--param", $"output={outputFile}", "--wait", .. _cluster.CliOptions]);

            Assert.True(run.ExitCode == 0, run.ToString());
            Assert.Contains("State    Finished", run.Output);
            Assert.Equal(UploadedJobsAssembly.ExpectedWindowTotals(2000), UploadedJobsAssembly.Sorted(File.ReadAllLines(outputFile)));

            var notAnAssembly = await CliProcess.RunAsync(["submit", "--assembly", outputFile, UploadedJobsAssembly.WindowJob, .. _cluster.CliOptions]);
            Assert.True(notAnAssembly.ExitCode == 65, notAnAssembly.ToString());
            Assert.Contains("totals.txt", notAnAssembly.Error);
        });
    }

    [Fact]
    public async Task Each_kind_of_failure_has_its_own_exit_code_and_a_message_that_names_it()
    {
        await _cluster.WithOutputOnFailureAsync(output, async () =>
        {
            // Nothing to connect to: exit 3, naming where it looked.
            int port = FreePort.Next();
            var noCluster = await CliProcess.RunAsync("list", "--gateway-port", port.ToString(System.Globalization.CultureInfo.InvariantCulture));
            Assert.True(noCluster.ExitCode == 3, noCluster.ToString());
            Assert.Contains($"gateway port {port}", noCluster.Error);

            // A bad command line: exit 64, before any connection.
            var usage = await CliProcess.RunAsync("submit", "--parallelism", "0", "Some.Job, Some");
            Assert.True(usage.ExitCode == 64, usage.ToString());
            Assert.Contains("--parallelism must be at least 1", usage.Error);
            var neither = await CliProcess.RunAsync("submit");
            Assert.True(neither.ExitCode == 64, neither.ToString());

            // A topology file that is not there: exit 65, nothing sent.
            var missing = await CliProcess.RunAsync(["submit", "--topology", Path.Combine(_cluster.Directory, "nope.yaml"), .. _cluster.CliOptions]);
            Assert.True(missing.ExitCode == 65, missing.ToString());
            Assert.Contains("nope.yaml", missing.Error);

            // A topology file with a mistake: exit 65, naming the file, line and field, nothing sent.
            var badTopology = Path.Combine(_cluster.Directory, "bad.yaml");
            File.WriteAllLines(badTopology,
            [
                "name: bad",
                "steps:",
                "  - name: lines",
                "    type: source",
                "    connector: file",
                "    path: x.log",
                "  - name: parse",
                "    type: split",
                "    fields: { ip: string, bytes: long }",
                "  - name: keep",
                "    type: filter",
                "    expression: byts > 3",
            ]);
            var invalid = await CliProcess.RunAsync(["submit", "--topology", badTopology, .. _cluster.CliOptions]);
            Assert.True(invalid.ExitCode == 65, invalid.ToString());
            Assert.StartsWith("bad.yaml:12:17: steps[2] (filter 'keep').expression: unknown identifier 'byts'", invalid.Error);

            await _cluster.WaitUntilActiveAsync();

            // An unknown job: exit 4.
            var unknown = await CliProcess.RunAsync(["status", "no-such-job", .. _cluster.CliOptions]);
            Assert.True(unknown.ExitCode == 4, unknown.ToString());
            Assert.Contains("No job 'no-such-job'", unknown.Error);

            // A job the cluster refuses: exit 2, naming the class or the shortage.
            var refused = await CliProcess.RunAsync(["submit", "No.Such.Job, NoSuchAssembly", .. _cluster.CliOptions]);
            Assert.True(refused.ExitCode == 2, refused.ToString());
            Assert.Contains("No.Such.Job", refused.Error);
            var tooWide = await CliProcess.RunAsync(["submit", "OrleansStream.Samples.IpCount.IpCountJob, IpCount", "--parallelism", "5", .. _cluster.CliOptions]);
            Assert.True(tooWide.ExitCode == 2, tooWide.ToString());
            Assert.Contains("needs 5 task slots", tooWide.Error);
        });
    }
}
