using System.Globalization;
using System.Net;
using System.Text.Json;
using OrleansStream.Tests.Fixtures;
using OrleansStream.Tests.Topology;
using Xunit.Abstractions;

namespace OrleansStream.Tests.Processes;

/// <summary>
/// The workflow of the README's cluster section, end to end with real processes: three silo
/// processes over PostgreSQL, the orleansstream command submits the IP count topology file
/// (samples/IpCount/ipcount.topology.yaml) over a replayable file, lists and follows it, a silo is killed with SIGKILL mid-job, and the job recovers on the
/// other two to exactly the counts computed from the file.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class ThreeSiloCliTests(PostgresServer postgres, ITestOutputHelper output) : IAsyncLifetime
{
    private const int SlotsPerSilo = 2;
    private SiloProcessCluster _cluster = null!;
    private IpCountInput _input = null!;

    public async Task InitializeAsync()
    {
        _cluster = await SiloProcessCluster.StartAsync(postgres, "three-cli", silos: 3, SlotsPerSilo);
        _input = IpCountInput.Write(_cluster.Directory, lines: 3_000, seed: 20261130);
    }

    public Task DisposeAsync()
    {
        _cluster.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task A_job_submitted_with_the_cli_survives_a_killed_silo_process_with_exactly_the_expected_counts()
    {
        await _cluster.WithOutputOnFailureAsync(output, async () =>
        {
            await _cluster.WaitUntilActiveAsync();
            await WaitUntilReadyAsync();

            var cluster = await CliAsync("cluster", "--json");
            var silos = JsonDocument.Parse(cluster.Output).RootElement.GetProperty("silos");
            Assert.Equal(3, silos.GetArrayLength());
            Assert.All(silos.EnumerateArray(), silo => Assert.Equal(SlotsPerSilo, silo.GetProperty("slots").GetInt32()));

            var submitted = await CliAsync(
                "submit", "--topology", IpCountTopologyTests.SampleTopology(), "--parallelism", "4",
                "--param", $"input={_input.InputPath}", "--param", $"output={_input.OutputPath}",
                "--param", "checkpoint-interval=200ms", "--param", "rate=400");
            var jobId = submitted.Output.Trim();

            var listed = JsonDocument.Parse((await CliAsync("list", "--json")).Output).RootElement;
            Assert.Contains(listed.EnumerateArray(), job => job.GetProperty("jobId").GetString() == jobId);

            await _input.WaitForFirstCommitAsync();
            var status = JsonDocument.Parse((await CliAsync("status", jobId, "--json")).Output).RootElement;
            Assert.Equal("Running", status.GetProperty("state").GetString());

            // A silo with tasks of the job that does not supervise it: the job grain restarts the job on the other two.
            int supervisor = _cluster.IndexOf(status.GetProperty("supervisorSilo").GetString()!);
            int victim = status.GetProperty("slots").EnumerateArray().Select(slot => _cluster.IndexOf(slot.GetString()!)).First(index => index >= 0 && index != supervisor);
            output.WriteLine($"SIGKILL {_cluster.Silos[victim].Name}; {status.GetProperty("checkpoints").GetProperty("completed").GetInt64()} checkpoints completed");
            _cluster.Silos[victim].Kill();

            var final = await WaitForEndAsync(jobId);
            Assert.Equal("Finished", final.GetProperty("state").GetString());
            Assert.True(final.GetProperty("attempt").GetInt32() >= 2, $"expected a restart: {final}");
            Assert.Equal(_input.ExpectedCounts(), _input.CommittedCounts());

            var ended = JsonDocument.Parse((await CliAsync("list", "--json")).Output).RootElement;
            Assert.Equal("Finished", ended.EnumerateArray().Single(job => job.GetProperty("jobId").GetString() == jobId).GetProperty("state").GetString());
        });
    }

    [Fact]
    public async Task A_silo_stopped_with_sigterm_leaves_gracefully_and_its_tasks_restart_on_the_others()
    {
        await _cluster.WithOutputOnFailureAsync(output, async () =>
        {
            await _cluster.WaitUntilActiveAsync();
            var submitted = await CliAsync(
                "submit", "--topology", IpCountTopologyTests.SampleTopology(), "--parallelism", "4",
                "--param", $"input={_input.InputPath}", "--param", $"output={_input.OutputPath}",
                "--param", "checkpoint-interval=200ms", "--param", "rate=400");
            var jobId = submitted.Output.Trim();
            await _input.WaitForFirstCommitAsync();
            var status = JsonDocument.Parse((await CliAsync("status", jobId, "--json")).Output).RootElement;
            int supervisor = _cluster.IndexOf(status.GetProperty("supervisorSilo").GetString()!);
            int leaving = status.GetProperty("slots").EnumerateArray().Select(slot => _cluster.IndexOf(slot.GetString()!)).First(index => index >= 0 && index != supervisor);

            int exitCode = await _cluster.Silos[leaving].TerminateAsync(TimeSpan.FromSeconds(60));

            Assert.Equal(0, exitCode);
            Assert.Contains("OrleansStream silo stopping gracefully", _cluster.Silos[leaving].Output());
            Assert.Contains("OrleansStream silo stopped.", _cluster.Silos[leaving].Output());
            var final = await WaitForEndAsync(jobId);
            Assert.Equal("Finished", final.GetProperty("state").GetString());
            Assert.True(final.GetProperty("attempt").GetInt32() >= 2, $"the tasks on the stopped silo should have restarted elsewhere: {final}");
            Assert.Equal(_input.ExpectedCounts(), _input.CommittedCounts());
        });
    }

    /// <summary>
    /// As a Kubernetes readiness probe: polls each silo's <c>/health/ready</c> until it answers 200
    /// (the endpoint comes up after the silo has joined), then expects <c>/health/live</c> to answer 200 too.
    /// </summary>
    private async Task WaitUntilReadyAsync()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
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
                catch (HttpRequestException ex)
                {
                    last = ex.Message;
                }

                Assert.True(DateTime.UtcNow < deadline, $"{endpoint}/health/ready not ready after 30 s: {last}");
                await Task.Delay(TimeSpan.FromMilliseconds(100));
            }

            var live = await http.GetAsync(endpoint + "/health/live");
            Assert.True(live.StatusCode == HttpStatusCode.OK, $"{endpoint}/health/live: {live.StatusCode} {await live.Content.ReadAsStringAsync()}");
        }
    }

    /// <summary>
    /// Polls <c>status --json</c> until the job ends. While membership has not yet declared the killed
    /// silo dead, a command may not reach the cluster (exit 3); that is retried until the deadline.
    /// </summary>
    private async Task<JsonElement> WaitForEndAsync(string jobId)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(90);
        CliResult? last = null;
        while (DateTime.UtcNow < deadline)
        {
            last = await CliProcess.RunAsync(["status", jobId, "--json", .. _cluster.CliOptions]);
            if (last.ExitCode == 0)
            {
                var status = JsonDocument.Parse(last.Output).RootElement;
                if (status.GetProperty("state").GetString() is "Finished" or "Failed" or "Canceled" or "Stopped")
                {
                    return status;
                }
            }
            else if (last.ExitCode != 3)
            {
                Assert.Fail($"status failed: {last}");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(500));
        }

        throw new TimeoutException($"Waited 90 s for job {jobId} to end; last: {last}");
    }

    private async Task<CliResult> CliAsync(params string[] arguments)
    {
        var result = await CliProcess.RunAsync([.. arguments, .. _cluster.CliOptions]);
        Assert.True(result.ExitCode == 0, $"orleansstream {string.Join(' ', arguments)}: {result}");
        return result;
    }
}
