using System.Globalization;
using System.Net;
using System.Text.Json;
using OrleansStream.Contracts.Jobs;
using OrleansStream.Contracts.Rescaling;
using OrleansStream.Tests.Fixtures;
using OrleansStream.Tests.Topology;
using Xunit.Abstractions;

namespace OrleansStream.Tests.Processes;

/// <summary>
/// The workflow of the README's cluster section, end to end with real processes: three silo
/// processes (or containers of the silo image, <see cref="ThreeSiloContainerTests"/>) over PostgreSQL, the orleansstream command submits the IP count topology file
/// (samples/IpCount/ipcount.topology.yaml) over a replayable file, lists and follows it, a silo is killed with
/// SIGKILL (or stopped with SIGTERM) mid-job, and the job recovers on the other two; the test then stops it with a
/// savepoint and submits it again from there, and the two runs commit exactly the counts computed from the file.
/// </summary>
/// <remarks>
/// The job reads a long input at <see cref="IpCountInput.PacedRate"/> lines per second, so that it is far from its
/// end whatever the machine while the test kills a silo under it: the test ends that run itself.
/// </remarks>
[Collection(PostgresCollection.Name)]
[Trait(Suites.Trait, Suites.EndToEnd)]
public abstract class ThreeSiloClusterTests(PostgresServer postgres, ITestOutputHelper output, string? image) : IAsyncLifetime
{
    protected const int SlotsPerSilo = 2;
    private SiloProcessCluster _cluster = null!;
    private IpCountInput _input = null!;
    private PodmanNetwork? _network;

    private protected SiloProcessCluster Cluster => _cluster;

    private protected IpCountInput Input => _input;

    protected ITestOutputHelper Output => output;

    /// <summary>What a variant adds to each silo (by name, with the cluster's id) before it starts; null, nothing.</summary>
    private protected virtual Func<string, string, Task<SiloSetup>>? Setup => null;

    /// <summary>
    /// True for a variant whose silo containers run on a pod network of their own with PostgreSQL in a container there
    /// (<see cref="PodmanNetwork"/>), and whose commands run in containers of the CLI image on it.
    /// </summary>
    private protected virtual bool OnPodNetwork => false;

    /// <summary>The CLI image the commands run in (on the pod network); null, the commands run from the build.</summary>
    private protected virtual string? CliImage => null;

    public async Task InitializeAsync()
    {
        _network = OnPodNetwork ? await PodmanNetwork.StartAsync("orleansstream-test") : null;
        _cluster = await SiloProcessCluster.StartAsync(postgres, image is null ? "three-cli" : "three-containers", silos: 3, SlotsPerSilo, image, Setup, _network);
        _input = IpCountInput.Write(_cluster.Directory, lines: IpCountInput.LongLines, seed: 20261130);
    }

    public async Task DisposeAsync()
    {
        _cluster.Dispose();
        if (_network is not null)
        {
            await _network.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_job_submitted_with_the_cli_survives_a_killed_silo_with_exactly_the_expected_counts()
    {
        await _cluster.WithOutputOnFailureAsync(output, async () =>
        {
            await _cluster.WaitUntilActiveAsync();
            await WaitUntilReadyAsync();

            var cluster = await CliAsync("cluster", "--json");
            var silos = JsonDocument.Parse(cluster.Output).RootElement.GetProperty("silos");
            Assert.Equal(3, silos.GetArrayLength());
            Assert.All(silos.EnumerateArray(), silo => Assert.Equal(SlotsPerSilo, silo.GetProperty("slots").GetInt32()));

            await RunThroughAFaultAsync(victim =>
            {
                output.WriteLine($"SIGKILL {_cluster.Silos[victim].Name}");
                _cluster.Silos[victim].Kill();
                return Task.CompletedTask;
            });
        });
    }

    [Fact]
    public async Task A_silo_stopped_with_sigterm_drains_its_subtasks_to_the_others_before_it_leaves_and_the_job_never_fails()
    {
        await _cluster.WithOutputOnFailureAsync(output, async () =>
        {
            await _cluster.WaitUntilActiveAsync();
            var stopped = await RunThroughAFaultAsync(async leaving =>
            {
                int exitCode = await _cluster.Silos[leaving].TerminateAsync(JobWatch.Patience);

                Assert.Equal(0, exitCode);
                Assert.Contains("OrleansStream silo stopping gracefully", _cluster.Silos[leaving].Output());
                Assert.Contains("OrleansStream silo stopped.", _cluster.Silos[leaving].Output());
            }, restarts: false);

            // Drained: the job moved its subtasks off the leaving silo live, with their state, before it left, and never failed.
            Assert.Equal(0, stopped.Checkpoints.Restarts);
            var drain = Assert.Single(stopped.Rescales ?? []);
            string described = $"{drain.Mode}: {drain.SubtasksMoved} subtasks moved, longest pause {drain.LongestPause.TotalMilliseconds:F0} ms ({drain.Reason})";
            output.WriteLine(described);
            Assert.Equal((RescaleTrigger.Drain, RescaleMode.Live, RescaleState.Completed), (drain.Trigger, drain.Mode, drain.State));
            Assert.True(drain.SubtasksMoved > 0, $"expected subtasks to move: {described}");
        });
    }

    /// <summary>
    /// Submits the topology with the command at the paced rate, follows it with <c>list</c> and <c>status</c> until it has
    /// committed counts and completed a checkpoint after reading input, applies <paramref name="fault"/> to a silo that
    /// runs its tasks but not its job grain, and waits until it runs again in a later attempt. Committed counts stay
    /// committed, so the exact counts at the end show that the restart restored a checkpoint. Then
    /// <c>stop --savepoint</c> ends the paced run and <c>submit --from-savepoint --wait</c> reads the rest at full speed.
    /// </summary>
    /// <param name="fault">What happens to the silo (by index) that runs tasks of the job but does not supervise it.</param>
    /// <param name="restarts">Whether the fault restarts the job (a crash), or the job goes on under the same attempt (a drain that moves its subtasks live).</param>
    protected async Task<JobStatus> RunThroughAFaultAsync(Func<int, Task> fault, bool restarts = true)
    {
        var jobId = (await SubmitAsync($"rate={IpCountInput.PacedRate}")).Output.Trim();

        var listed = JsonDocument.Parse((await CliAsync("list", "--json")).Output).RootElement;
        Assert.Contains(listed.EnumerateArray(), job => job.GetProperty("jobId").GetString() == jobId);

        await _input.WaitForFirstCommitAsync();
        var watch = CliProcess.Watch(jobId, _cluster.CliOptions, output);
        var before = await watch.WaitUntilCheckpointedAfterInputAsync("log-lines");
        int supervisor = _cluster.IndexOf(before.SupervisorSilo!);
        int victim = before.Slots!.Select(_cluster.IndexOf).First(index => index >= 0 && index != supervisor);
        output.WriteLine($"{_cluster.Silos[victim].Name} runs tasks of the job; {_input.CommittedCounts().Count} counts committed");
        await fault(victim);
        if (restarts)
        {
            await watch.WaitUntilRestartedAsync();
        }

        // The recovered run goes on until the test stops it: with a savepoint, which the command prints. A silo that left
        // may still cost the job one more recovery (see the drain test); the test waits for it to run again and stops it then.
        var pointer = await StopWithSavepointAsync(jobId, watch);
        Assert.StartsWith(jobId + "/", pointer);
        var stopped = CliProcess.ParseStatus((await CliAsync("status", jobId, "--json")).Output);
        Assert.Equal(JobState.Stopped, stopped.State);
        Assert.True(restarts ? stopped.Attempt >= 2 : stopped.Attempt == 1, $"expected {(restarts ? "a restart" : "no restart")}: {stopped}");

        var resumed = await SubmitAsync("rate=0", "--from-savepoint", pointer, "--wait");
        string resumedId = resumed.Output.Split('\n')[0].Trim();
        Assert.Contains("State    Finished", resumed.Output);
        Assert.Contains($"started from {pointer}", resumed.Output);
        Assert.Equal(_input.ExpectedCounts(), _input.CommittedCounts());

        var ended = JsonDocument.Parse((await CliAsync("list", "--json")).Output).RootElement.EnumerateArray().ToList();
        Assert.Equal("Stopped", ended.Single(job => job.GetProperty("jobId").GetString() == jobId).GetProperty("state").GetString());
        Assert.Equal("Finished", ended.Single(job => job.GetProperty("jobId").GetString() == resumedId).GetProperty("state").GetString());
        return stopped;
    }

    /// <summary><c>stop --savepoint</c>; if the job is recovering right then, once it runs again with a new checkpoint.</summary>
    private async Task<string> StopWithSavepointAsync(string jobId, JobWatch watch)
    {
        for (int tries = 0; ; tries++)
        {
            var stop = await CliProcess.RunAsync(["stop", jobId, "--savepoint", .. _cluster.CliOptions], JobWatch.Patience);
            if (stop.ExitCode == 0)
            {
                return stop.Output.Trim();
            }

            Assert.True(tries < 2 && stop.Error.Contains("is Restarting"), $"orleansstream stop {jobId} --savepoint: {stop}");
            output.WriteLine($"the job was recovering when the test stopped it: {stop.Error.Trim()}");
            await watch.WaitUntilCheckpointedAsync(what: "the job runs again");
        }
    }

    private protected Task<CliResult> SubmitAsync(string rate, params string[] more)
        => CliAsync(
            [
                "submit", "--topology", IpCountTopologyTests.SampleTopology(), "--parallelism", "4",
                "--param", $"input={_input.InputPath}", "--param", $"output={_input.OutputPath}",
                "--param", "checkpoint-interval=200ms", "--param", rate, .. more,
            ],
            JobWatch.JobPatience);

    /// <summary>
    /// As a Kubernetes readiness probe: polls each silo's <c>/health/ready</c> until it answers 200
    /// (the endpoint comes up after the silo has joined), then expects <c>/health/live</c> to answer 200 too.
    /// </summary>
    protected async Task WaitUntilReadyAsync()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var deadline = DateTime.UtcNow + JobWatch.Patience;
        foreach (var port in _cluster.HealthPorts)
        {
            var endpoint = $"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}";
            string last = "no answer";
            while (true)
            {
                try
                {
                    var ready = await http.GetAsync(endpoint + "/health/ready");
                    last = $"{ready.StatusCode} {await ready.Content.ReadAsStringAsync()}";
                    if (ready.StatusCode == HttpStatusCode.OK)
                    {
                        break;
                    }
                }
                catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
                {
                    last = ex.Message;
                }

                Assert.True(DateTime.UtcNow < deadline, $"{endpoint}/health/ready not ready after {JobWatch.Patience.TotalMinutes} min: {last}");
                await Task.Delay(TimeSpan.FromMilliseconds(100));
            }

            var live = await http.GetAsync(endpoint + "/health/live");
            Assert.True(live.StatusCode == HttpStatusCode.OK, $"{endpoint}/health/live: {live.StatusCode} {await live.Content.ReadAsStringAsync()}");
        }
    }

    private protected Task<CliResult> CliAsync(params string[] arguments) => CliAsync(arguments, timeout: null);

    private async Task<CliResult> CliAsync(string[] arguments, TimeSpan? timeout)
    {
        // In a container, the command reads the topology file from the repository, mounted read-only.
        var container = CliImage is { } cli ? _cluster.CliContainer(cli, Path.GetDirectoryName(IpCountTopologyTests.SampleTopology())!) : null;
        var result = await CliProcess.RunAsync([.. arguments, .. _cluster.CliOptions], timeout, container);
        Assert.True(result.ExitCode == 0, $"orleansstream {string.Join(' ', arguments)}: {result}");
        return result;
    }
}

/// <summary>The three-silo workflow with silo processes, and a live rescale with the command.</summary>
public sealed class ThreeSiloCliTests(PostgresServer postgres, ITestOutputHelper output) : ThreeSiloClusterTests(postgres, output, image: null)
{
    [Fact]
    public async Task A_job_rescaled_with_the_cli_moves_its_window_key_groups_live_and_commits_exactly_the_expected_counts()
    {
        await Cluster.WithOutputOnFailureAsync(Output, async () =>
        {
            await Cluster.WaitUntilActiveAsync();
            var jobId = (await SubmitAsync($"rate={IpCountInput.PacedRate}")).Output.Trim();
            await Input.WaitForFirstCommitAsync();
            await CliProcess.Watch(jobId, Cluster.CliOptions, Output).WaitUntilCheckpointedAfterInputAsync("log-lines");

            var up = await CliAsync("rescale", jobId, "--vertex", "window-counts=6");
            Output.WriteLine(up.Output);
            Assert.Contains("live", up.Output);
            Assert.Contains("window-counts", up.Output);
            Assert.Contains("4 -> 6", up.Output);
            Assert.Contains("key groups moved", up.Output);

            // Refusals: one line each, exit code 2, and the job runs on untouched.
            var slots = await CliProcess.RunAsync(["rescale", jobId, "--vertex", "window-counts=7", .. Cluster.CliOptions]);
            Assert.True(slots.ExitCode == 2, slots.ToString());
            Assert.Contains("needs 7 task slots", slots.Error);
            Assert.Contains("the cluster has 6", slots.Error);
            var unknown = await CliProcess.RunAsync(["rescale", jobId, "--vertex", "nope=2", .. Cluster.CliOptions]);
            Assert.True(unknown.ExitCode == 2, unknown.ToString());
            Assert.Contains("no vertex or operator named 'nope'", unknown.Error);
            var usage = await CliProcess.RunAsync(["rescale", jobId, .. Cluster.CliOptions]);
            Assert.True(usage.ExitCode == 64, usage.ToString());

            var down = await CliAsync("rescale", jobId, "--vertex", "window-counts=3");
            Assert.Contains("6 -> 3", down.Output);
            var status = await CliAsync("status", jobId);
            Assert.Contains("Rescales 2 completed, 0 failed", status.Output);
            Assert.Contains("State    Running, attempt 1", status.Output);

            var pointer = (await CliAsync("stop", jobId, "--savepoint")).Output.Trim();
            var resumed = await SubmitAsync("rate=0", "--from-savepoint", pointer, "--wait");
            Assert.Contains("State    Finished", resumed.Output);
            Assert.Equal(Input.ExpectedCounts(), Input.CommittedCounts());
        });
    }
}
