using System.Diagnostics;
using System.Text.Json;
using OrleansStream.Contracts.Rescaling;
using OrleansStream.Tests.Fixtures;
using Xunit.Abstractions;

namespace OrleansStream.Tests.Processes;

/// <summary>
/// The three-silo workflow as on Kubernetes, with containers on a pod network: each silo in a podman container of the
/// silo image (deploy/container, built by <c>test.sh --end-to-end</c> before the tests) with an address of its own,
/// PostgreSQL in a container on the same network, and every command (submit, status, stop) run in a container of the
/// CLI image there. The silos run as a non-root user with read-only root file systems, configured by their command
/// line only; one is killed with <c>podman kill</c>, or stopped with SIGTERM through the container runtime.
/// </summary>
public sealed class ThreeSiloContainerTests(PostgresServer postgres, ITestOutputHelper output)
    : ThreeSiloClusterTests(postgres, output, SiloImage)
{
    public const string SiloImage = "localhost/orleansstream-silo:0.1";

    public const string CliImageName = "localhost/orleansstream-cli:0.1";

    private protected override bool OnPodNetwork => true;

    private protected override string? CliImage => CliImageName;

    /// <summary>
    /// A rolling update as a Deployment does it (maxSurge 1, maxUnavailable 0): a new silo container joins, then an old
    /// one gets SIGTERM and drains its subtasks to the others, three times, under the running job. The job never restarts
    /// and commits exactly the expected counts. Measured: the longest time the committed output did not grow during the
    /// update, beside the longest in as long a time of steady running just before it.
    /// </summary>
    [Fact]
    public async Task A_rolling_update_of_every_silo_container_under_a_running_job_loses_and_duplicates_nothing()
    {
        await Cluster.WithOutputOnFailureAsync(Output, async () =>
        {
            await Cluster.WaitUntilActiveAsync();
            var stopped = await RunThroughAFaultAsync(async _ =>
            {
                using var gaps = new OutputGaps(Input);
                var steady = Stopwatch.StartNew();
                await Task.Delay(TimeSpan.FromSeconds(10));
                var steadyGap = gaps.TakeLongest();
                steady.Restart();
                for (int old = 0; old < 3; old++)
                {
                    int added = Cluster.AddSilo(SlotsPerSilo);
                    await Cluster.WaitUntilActiveAsync(added);
                    Assert.Equal(0, await Cluster.Silos[old].TerminateAsync(JobWatch.Patience));
                }

                var updateGap = gaps.TakeLongest();
                Output.WriteLine($"rolling update of 3 silo containers in {steady.Elapsed.TotalSeconds:F1} s: longest output gap {updateGap.TotalMilliseconds:F0} ms; " +
                    $"steady running before it: {steadyGap.TotalMilliseconds:F0} ms");
            }, restarts: false);

            // Every old silo drained live: the job kept its attempt and never restarted.
            Assert.Equal(0, stopped.Checkpoints.Restarts);
            var drains = (stopped.Rescales ?? []).Where(r => r.Trigger == RescaleTrigger.Drain).ToList();
            Assert.NotEmpty(drains);
            Assert.All(drains, drain => Assert.Equal((RescaleMode.Live, RescaleState.Completed), (drain.Mode, drain.State)));
            Output.WriteLine(string.Join("; ", drains.Select(d => $"{d.SubtasksMoved} subtasks moved, longest pause {d.LongestPause.TotalMilliseconds:F0} ms")));
        });
    }

    [Fact]
    public async Task The_cli_image_lists_the_silos_of_the_cluster_at_their_own_addresses()
    {
        await Cluster.WithOutputOnFailureAsync(Output, async () =>
        {
            await Cluster.WaitUntilActiveAsync();

            var silos = JsonDocument.Parse((await CliAsync("cluster", "--json")).Output).RootElement.GetProperty("silos");
            Assert.Equal(3, silos.GetArrayLength());
            Assert.All(silos.EnumerateArray(), silo => Assert.Equal(SlotsPerSilo, silo.GetProperty("slots").GetInt32()));

            // Each at its pod address, none at the host's.
            var addresses = silos.EnumerateArray().Select(silo => silo.GetProperty("address").GetString()!.Split(':')[0].TrimStart('S')).ToList();
            Assert.Equal(3, addresses.Distinct().Count());
            Assert.All(addresses, address => Assert.StartsWith("10.", address));
        });
    }

    /// <summary>Follows how long the job's committed counts go without growing, polling them every 20 ms.</summary>
    private sealed class OutputGaps : IDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly Lock _lock = new();
        private readonly Stopwatch _sinceGrowth = Stopwatch.StartNew();
        private TimeSpan _longest;

        public OutputGaps(IpCountInput input) => _ = PollAsync(input);

        /// <summary>The longest gap since the last call (the one still open included), and starts afresh.</summary>
        public TimeSpan TakeLongest()
        {
            lock (_lock)
            {
                var longest = _longest > _sinceGrowth.Elapsed ? _longest : _sinceGrowth.Elapsed;
                _longest = TimeSpan.Zero;
                return longest;
            }
        }

        public void Dispose()
        {
            _stop.Cancel();
            _stop.Dispose();
        }

        private async Task PollAsync(IpCountInput input)
        {
            int committed = input.CommittedCounts().Count;
            while (!_stop.IsCancellationRequested)
            {
                int now = input.CommittedCounts().Count;
                if (now != committed)
                {
                    committed = now;
                    lock (_lock)
                    {
                        _longest = _longest > _sinceGrowth.Elapsed ? _longest : _sinceGrowth.Elapsed;
                        _sinceGrowth.Restart();
                    }
                }

                await Task.Delay(TimeSpan.FromMilliseconds(20));
            }
        }
    }
}
