using System.Globalization;
using OrleansStream.Client;
using OrleansStream.Contracts.Jobs;
using OrleansStream.Tests.Fixtures;
using OrleansStream.Tests.Jobs;
using Xunit.Abstractions;

namespace OrleansStream.Tests.Processes;

/// <summary>
/// The orleansstream command against one silo process: an uploaded job assembly runs without a
/// redeploy; savepoint, stop, cancel, submit --from-savepoint and status --watch act on a running job as the
/// README says; and each kind of failure gives one line on standard error that names the problem and
/// an exit code of its own. The jobs are the uploaded running totals, held by a <see cref="SourceGate"/> so that
/// they run until the test lets them end.
/// </summary>
[Collection(PostgresCollection.Name)]
[Trait(Suites.Trait, Suites.EndToEnd)]
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
            Assert.Contains($"gateway port {port}", Assert.Single(Lines(noCluster.Error)));

            // Nor to a membership database: exit 3 too, one line.
            var noDatabase = await CliProcess.RunAsync("list", "--postgres", $"Host=127.0.0.1;Port={FreePort.Next()};Username=x;Password=x");
            Assert.True(noDatabase.ExitCode == 3, noDatabase.ToString());
            Assert.Contains("PostgreSQL membership table", Assert.Single(Lines(noDatabase.Error)));

            // A bad command line: exit 64, before any connection, one line and where to look.
            var usage = await CliProcess.RunAsync("submit", "--parallelism", "0", "Some.Job, Some");
            Assert.True(usage.ExitCode == 64, usage.ToString());
            Assert.Contains("--parallelism must be at least 1", usage.Error);
            var neither = await CliProcess.RunAsync("submit");
            Assert.True(neither.ExitCode == 64, neither.ToString());
            var notANumber = await CliProcess.RunAsync("submit", "--parallelism", "abc", "Some.Job, Some");
            Assert.True(notANumber.ExitCode == 64, notANumber.ToString());
            Assert.Equal(["--parallelism must be at least 1 (a whole number), not 'abc'.", "See 'orleansstream-cli --help'."], Lines(notANumber.Error));
            var badPort = await CliProcess.RunAsync("list", "--gateway-port", "99999");
            Assert.True(badPort.ExitCode == 64, badPort.ToString());
            Assert.StartsWith("--gateway-port must be from 1 to 65535", badPort.Error);
            var both = await CliProcess.RunAsync("list", "--postgres", "Host=x", "--gateway", "127.0.0.1:1");
            Assert.True(both.ExitCode == 64, both.ToString());

            // A gateway on the command line wins over a database in the environment.
            var gatewayWins = await CliProcess.RunAsync(
                ["list", "--gateway", $"127.0.0.1:{_cluster.GatewayPorts[0]}", "--cluster-id", _cluster.ClusterId, "--service-id", _cluster.ClusterId],
                environment: new Dictionary<string, string> { ["ORLEANSSTREAM_POSTGRES"] = $"Host=127.0.0.1;Port={FreePort.Next()}" });
            Assert.True(gatewayWins.ExitCode == 0, gatewayWins.ToString());

            // A topology file that is not there: exit 65, nothing sent.
            var missing = await CliProcess.RunAsync(["submit", "--topology", Path.Combine(_cluster.Directory, "nope.yaml"), .. _cluster.CliOptions]);
            Assert.True(missing.ExitCode == 65, missing.ToString());
            Assert.Contains("nope.yaml", missing.Error);

            // A topology file far longer than any cluster takes: exit 65, not read.
            var huge = Path.Combine(_cluster.Directory, "huge.yaml");
            using (var file = File.Create(huge))
            {
                file.SetLength(5L << 20);
            }

            var tooLong = await CliProcess.RunAsync(["submit", "--topology", huge, .. _cluster.CliOptions]);
            Assert.True(tooLong.ExitCode == 65, tooLong.ToString());
            Assert.Contains("is 5,242,880 bytes long; a topology is at most 1,048,576 characters", tooLong.Error);

            // A topology file with a mistake: exit 65, naming the file, line and field. The cluster reads it, so it must be up.
            await _cluster.WaitUntilActiveAsync();
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

            // A topology that needs a parameter the submit does not give: exit 65, naming the file, line and parameter.
            var needsInput = Path.Combine(_cluster.Directory, "needs-input.yaml");
            File.WriteAllLines(needsInput, ["steps:", "  - { type: source, connector: file, path: '${input}' }", "  - { type: split, fields: { x: string } }", "  - { type: sink, connector: discard }"]);
            var noParameter = await CliProcess.RunAsync(["submit", "--topology", needsInput, .. _cluster.CliOptions]);
            Assert.True(noParameter.ExitCode == 65, noParameter.ToString());
            Assert.StartsWith("needs-input.yaml:2:", noParameter.Error);
            Assert.Contains("input", Assert.Single(Lines(noParameter.Error)));

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

    [Fact]
    public async Task Savepoint_stop_with_a_savepoint_and_submit_from_it_carry_a_job_to_the_exact_output()
    {
        await _cluster.WithOutputOnFailureAsync(output, async () =>
        {
            await _cluster.WaitUntilActiveAsync();
            await using var client = await ConnectAsync();
            const long count = 8_000;
            using var gate = SourceGate.Create(budget: 2_000);
            var jobId = (await CliAsync(Submit(count, gate))).Output.Trim();
            await JobWatch.Of(client, jobId, output, gate).WaitUntilCheckpointedAfterInputAsync("orders");

            // A savepoint leaves the job running; stop --savepoint takes another and stops it.
            var taken = (await CliAsync("savepoint", jobId)).Output.Trim();
            Assert.Matches($"^{jobId}/[0-9]+$", taken);
            var running = await client.GetStatusAsync(jobId);
            Assert.Equal(JobState.Running, running.State);
            Assert.Contains(running.Checkpoints.Savepoints, s => s.Pointer == taken);

            var stoppedAt = (await CliAsync("stop", jobId, "--savepoint")).Output.Trim();
            Assert.Matches($"^{jobId}/[0-9]+$", stoppedAt);
            Assert.NotEqual(taken, stoppedAt);
            Assert.Equal(JobState.Stopped, (await client.GetStatusAsync(jobId)).State);
            int committedBefore = Committed().Count;
            Assert.True(committedBefore < count, $"the job should stop before the end of its input, committed {committedBefore}");

            gate.Open();
            var resumed = await CliAsync([.. Submit(count, gate), "--from-savepoint", stoppedAt, "--wait"], JobWatch.JobPatience);

            Assert.Contains("State    Finished", resumed.Output);
            Assert.Contains($"started from {stoppedAt}", resumed.Output);
            Assert.Equal(UploadedJobsAssembly.ExpectedRunningTotals(count), Committed());
        });
    }

    [Fact]
    public async Task Cancel_and_stop_end_a_running_job_and_a_savepoint_of_a_job_that_no_longer_runs_fails_with_exit_code_1()
    {
        await _cluster.WithOutputOnFailureAsync(output, async () =>
        {
            await _cluster.WaitUntilActiveAsync();
            await using var client = await ConnectAsync();
            using var gate = SourceGate.Create(budget: 1_000);
            var canceled = (await CliAsync(Submit(8_000, gate))).Output.Trim();
            await JobWatch.Of(client, canceled, output).WaitUntilCheckpointedAfterInputAsync("orders");

            var cancel = await CliAsync("cancel", canceled);

            Assert.Equal($"Job {canceled} is Canceled.", cancel.Output.Trim());
            Assert.Equal(JobState.Canceled, (await client.GetStatusAsync(canceled)).State);

            // A job that no longer runs takes no savepoint: exit 1, saying why.
            var savepoint = await CliProcess.RunAsync(["savepoint", canceled, .. _cluster.CliOptions]);
            Assert.True(savepoint.ExitCode == 1, savepoint.ToString());
            Assert.Contains("Canceled", savepoint.Error);
            var stopWithSavepoint = await CliProcess.RunAsync(["stop", canceled, "--savepoint", .. _cluster.CliOptions]);
            Assert.True(stopWithSavepoint.ExitCode == 1, stopWithSavepoint.ToString());
            Assert.Contains("Canceled", stopWithSavepoint.Error);

            // stop without --savepoint cancels. (The canceled job committed output there: the second one adds to it.)
            var stopped = (await CliAsync([.. Submit(8_000, gate), "--append"])).Output.Trim();
            await JobWatch.Of(client, stopped, output).WaitUntilCheckpointedAfterInputAsync("orders");
            var stop = await CliAsync("stop", stopped);
            Assert.Equal($"Job {stopped} is Canceled.", stop.Output.Trim());
            Assert.Equal(JobState.Canceled, (await client.GetStatusAsync(stopped)).State);

            var unknown = await CliProcess.RunAsync(["cancel", "no-such-job", .. _cluster.CliOptions]);
            Assert.True(unknown.ExitCode == 4, unknown.ToString());
            Assert.Contains("No job 'no-such-job'", unknown.Error);
        });
    }

    [Fact]
    public async Task Status_watch_and_submit_wait_follow_a_job_until_it_ends_and_wait_exits_1_when_it_does_not_finish()
    {
        await _cluster.WithOutputOnFailureAsync(output, async () =>
        {
            await _cluster.WaitUntilActiveAsync();
            await using var client = await ConnectAsync();
            const long count = 4_000;

            // Held at its end: the job has read everything and cannot finish until the gate opens.
            using var gate = SourceGate.Create();
            using var waiting = CliRun.Start([.. Submit(count, gate), "--wait", .. _cluster.CliOptions]);
            await waiting.WaitForOutputAsync(text => text.Contains('\n'), "the job's id", JobWatch.Patience);
            var jobId = waiting.Output.Split('\n')[0].Trim();
            await JobWatch.Of(client, jobId, output).WaitUntilCheckpointedAfterInputAsync("orders");
            using var watching = CliRun.Start(["status", jobId, "--watch", "--interval", "0.2", .. _cluster.CliOptions]);
            await watching.WaitForOutputAsync(text => Occurrences(text, "State    Running") >= 2, "two refreshes of the running job", JobWatch.Patience);
            Assert.False(waiting.HasExited, "submit --wait ended while the job runs");
            Assert.False(watching.HasExited, "status --watch ended while the job runs");

            gate.Open();
            var watched = await watching.WaitForExitAsync(JobWatch.JobPatience);
            var waited = await waiting.WaitForExitAsync(JobWatch.JobPatience);

            Assert.True(watched.ExitCode == 0, watched.ToString());
            Assert.Contains("State    Finished", watched.Output.Split("\n\n")[^1]);
            Assert.True(waited.ExitCode == 0, waited.ToString());
            Assert.Contains("State    Finished", waited.Output);
            Assert.Equal(UploadedJobsAssembly.ExpectedRunningTotals(count), Committed());

            // A job that ends other than finished: submit --wait says how it ended and exits 1.
            using var second = SourceGate.Create();
            using var failing = CliRun.Start([.. Submit(count, second, Path.Combine(_cluster.Directory, "canceled")), "--wait", .. _cluster.CliOptions]);
            await failing.WaitForOutputAsync(text => text.Contains('\n'), "the job's id", JobWatch.Patience);
            var canceled = failing.Output.Split('\n')[0].Trim();
            await JobWatch.Of(client, canceled, output).WaitUntilCheckpointedAfterInputAsync("orders");
            await CliAsync("cancel", canceled);
            var notFinished = await failing.WaitForExitAsync(JobWatch.JobPatience);

            Assert.True(notFinished.ExitCode == 1, notFinished.ToString());
            Assert.Contains("State    Canceled", notFinished.Output);
        });
    }

    [Fact]
    public async Task Ctrl_c_interrupts_status_watch_and_submit_wait_with_exit_code_130_and_the_job_goes_on()
    {
        await _cluster.WithOutputOnFailureAsync(output, async () =>
        {
            await _cluster.WaitUntilActiveAsync();
            await using var client = await ConnectAsync();
            const long count = 4_000;
            using var gate = SourceGate.Create();
            using var waiting = CliRun.Start([.. Submit(count, gate), "--wait", .. _cluster.CliOptions], interruptible: true);
            await waiting.WaitForOutputAsync(text => text.Contains('\n'), "the job's id", JobWatch.Patience);
            var jobId = waiting.Output.Split('\n')[0].Trim();
            var watch = JobWatch.Of(client, jobId, output);
            await watch.WaitUntilCheckpointedAfterInputAsync("orders");
            using var watching = CliRun.Start(["status", jobId, "--watch", "--interval", "0.2", .. _cluster.CliOptions], interruptible: true);
            await watching.WaitForOutputAsync(text => text.Contains("State    Running"), "the running job", JobWatch.Patience);

            watching.Interrupt();
            waiting.Interrupt();
            var watched = await watching.WaitForExitAsync(JobWatch.Patience);
            var waited = await waiting.WaitForExitAsync(JobWatch.Patience);

            Assert.True(watched.ExitCode == 130, watched.ToString());
            Assert.Contains("Interrupted; the job, if any, goes on in the cluster.", watched.Error);
            Assert.True(waited.ExitCode == 130, waited.ToString());
            Assert.Contains("Interrupted; the job, if any, goes on in the cluster.", waited.Error);
            Assert.Equal(JobState.Running, (await client.GetStatusAsync(jobId)).State);
            gate.Open();
            Assert.Equal(JobState.Finished, (await watch.WaitForEndAsync()).State);
            Assert.Equal(UploadedJobsAssembly.ExpectedRunningTotals(count), Committed());
        });
    }

    [Fact]
    public async Task A_command_whose_silo_stops_answering_ends_with_exit_code_75_while_status_watch_waits_it_out_and_the_job_goes_on()
    {
        await _cluster.WithOutputOnFailureAsync(output, async () =>
        {
            await _cluster.WaitUntilActiveAsync();
            await using var client = await ConnectAsync();
            using var gate = SourceGate.Create();
            using var waiting = CliRun.Start([.. Submit(4_000, gate), "--wait", .. _cluster.CliOptions]);
            await waiting.WaitForOutputAsync(text => text.Contains('\n'), "the job's id", JobWatch.Patience);
            var jobId = waiting.Output.Split('\n')[0].Trim();
            var watch = JobWatch.Of(client, jobId, output);
            await watch.WaitUntilCheckpointedAfterInputAsync("orders");
            using var watching = CliRun.Start(["status", jobId, "--watch", "--interval", "0.2", .. _cluster.CliOptions]);
            await watching.WaitForOutputAsync(text => text.Contains("State    Running"), "the running job", JobWatch.Patience);

            // Frozen (SIGSTOP), the silo keeps its connections but answers nothing: the status calls of both commands
            // time out (Orleans' response timeout, 30 s). submit --wait reports the cluster reached but not answering
            // in time; status --watch says so and goes on watching.
            _cluster.Silos[0].Suspend();
            CliResult waited;
            try
            {
                waited = await waiting.WaitForExitAsync(JobWatch.Patience);
                await watching.WaitForErrorAsync(text => text.Contains("(retrying)"), "a retry of the watch", JobWatch.Patience);
            }
            finally
            {
                _cluster.Silos[0].Resume();
            }

            Assert.True(waited.ExitCode == 75, waited.ToString());
            Assert.Contains("The cluster did not answer in time", waited.Error);
            Assert.False(watching.HasExited, "status --watch ended on a call that timed out");

            // Watching rode it out and follows the job to its end.
            Assert.Equal(JobState.Running, (await watch.WaitUntilAsync(s => true, "the job's status")).State);
            gate.Open();
            Assert.Equal(JobState.Finished, (await watch.WaitForEndAsync()).State);
            var watched = await watching.WaitForExitAsync(JobWatch.Patience);
            Assert.True(watched.ExitCode == 0, watched.ToString());
            Assert.Contains("State    Finished", watched.Output.Split("\n\n")[^1]);
            Assert.Equal(UploadedJobsAssembly.ExpectedRunningTotals(4_000), Committed());
        });
    }

    [Fact]
    public async Task A_malformed_savepoint_reference_is_a_wrong_command_line_and_a_missing_one_is_refused_by_the_cluster()
    {
        await _cluster.WithOutputOnFailureAsync(output, async () =>
        {
            var malformed = await CliProcess.RunAsync(["submit", "OrleansStream.Samples.IpCount.IpCountJob, IpCount", "--from-savepoint", "garbage", .. _cluster.CliOptions]);
            Assert.True(malformed.ExitCode == 64, malformed.ToString());
            Assert.Contains("'garbage' is not a savepoint or checkpoint reference", malformed.Error);

            await _cluster.WaitUntilActiveAsync();
            var missing = await CliProcess.RunAsync(["submit", "OrleansStream.Samples.IpCount.IpCountJob, IpCount", "--from-savepoint", "no-such-job/7", .. _cluster.CliOptions]);
            Assert.True(missing.ExitCode == 2, missing.ToString());
            Assert.Contains("Savepoint 'no-such-job/7' was not found", missing.Error);
        });
    }

    [Fact]
    public async Task A_cluster_whose_storage_fails_is_reached_but_cannot_do_it_now_exit_code_75()
    {
        await _cluster.WithOutputOnFailureAsync(output, async () =>
        {
            await _cluster.WaitUntilActiveAsync();
            await ExecuteAsync("ALTER TABLE orleans_grain_state RENAME TO orleans_grain_state_away");
            CliResult status;
            try
            {
                status = await CliProcess.RunAsync(["status", "job-" + Guid.NewGuid().ToString("N")[..8], .. _cluster.CliOptions]);
            }
            finally
            {
                await ExecuteAsync("ALTER TABLE orleans_grain_state_away RENAME TO orleans_grain_state");
            }

            Assert.True(status.ExitCode == 75, status.ToString());
            Assert.StartsWith("The cluster could not do it", status.Error);
        });
    }

    private async Task ExecuteAsync(string sql)
    {
        await using var connection = new Npgsql.NpgsqlConnection(_cluster.ConnectionString);
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private string OutputDirectory => Path.Combine(_cluster.Directory, "totals");

    /// <summary>The command line that submits the uploaded running totals of <paramref name="count"/> orders, held by <paramref name="gate"/>.</summary>
    private string[] Submit(long count, SourceGate gate, string? outputDirectory = null) =>
    [
        "submit", "--assembly", UploadedJobsAssembly.Path, UploadedJobsAssembly.TotalsJob, "--parallelism", "2",
        "--param", $"count={count.ToString(CultureInfo.InvariantCulture)}", "--param", $"output={outputDirectory ?? OutputDirectory}",
        "--param", $"{SourceGate.Parameter}={gate.Path}",
    ];

    private List<string> Committed() => Directory.Exists(OutputDirectory) ? Cluster.RollingCountJob.Committed(OutputDirectory) : [];

    private static int Occurrences(string text, string value) => (text.Length - text.Replace(value, "", StringComparison.Ordinal).Length) / value.Length;

    private Task<StreamClient> ConnectAsync() => StreamClient.ConnectAsync(StreamClientOptions.ForPostgres(_cluster.ConnectionString) with
    {
        ClusterId = _cluster.ClusterId,
        ServiceId = _cluster.ClusterId,
    });

    private Task<CliResult> CliAsync(params string[] arguments) => CliAsync(arguments, timeout: null);

    private async Task<CliResult> CliAsync(string[] arguments, TimeSpan? timeout)
    {
        var result = await CliProcess.RunAsync([.. arguments, .. _cluster.CliOptions], timeout);
        Assert.True(result.ExitCode == 0, $"orleansstream {string.Join(' ', arguments)}: {result}");
        return result;
    }

    private static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
