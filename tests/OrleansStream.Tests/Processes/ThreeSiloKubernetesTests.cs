using System.Diagnostics;
using OrleansStream.Tests.Fixtures;
using Xunit.Abstractions;

namespace OrleansStream.Tests.Processes;

/// <summary>
/// The three-silo workflow with silos that run "in pods" of a real API server (<see cref="KubeApiServer"/>): each
/// process has its pod's downward-API variables, Orleans' Kubernetes hosting on with the silos' service account, and
/// Orleans' default membership probes, so that only the hosting can find a silo dead quickly. Deleting the pod of a
/// frozen silo gets it declared dead at once, and the job recovers on the others with exactly the expected counts.
/// </summary>
public sealed class ThreeSiloKubernetesTests(PostgresServer postgres, KubeApiServer api, ITestOutputHelper output)
    : ThreeSiloClusterTests(postgres, output, image: null), IClassFixture<KubeApiServer>
{
    private const int DeadStatus = 6;
    private readonly Dictionary<string, string> _pods = new();

    private protected override Func<string, string, Task<SiloSetup>> Setup => async (silo, clusterId) =>
    {
        await api.ApplySiloRbacAsync();
        string pod = $"{silo}-{Guid.NewGuid().ToString("N")[..5]}";
        await api.CreateRunningPodAsync(pod, clusterId);
        _pods[silo] = pod;
        return new SiloSetup(
            new Dictionary<string, string> { ["Kubernetes:Hosting"] = "on", ["Kubernetes:KubeConfig"] = api.SiloKubeConfig },
            new Dictionary<string, string> { ["POD_NAME"] = pod, ["POD_NAMESPACE"] = KubeApiServer.Namespace, ["POD_IP"] = "127.0.0.1" },
            DefaultProbes: true);
    };

    [Fact]
    public async Task A_silo_whose_pod_is_deleted_is_declared_dead_at_once_and_the_job_recovers_with_exactly_the_expected_counts()
    {
        await Cluster.WithOutputOnFailureAsync(Output, async () =>
        {
            await Cluster.WaitUntilActiveAsync();
            await WaitUntilAsync(async () => await api.PodWatchesAsync() >= 2, "the silos' agents to watch the pods", JobWatch.Patience);

            await RunThroughAFaultAsync(async victim =>
            {
                // Frozen, so that it can neither leave nor answer: only its pod's deletion can tell the others in time.
                var silo = Cluster.Silos[victim];
                silo.Suspend();
                var stopwatch = Stopwatch.StartNew();
                await api.DeletePodAsync(_pods[silo.Name]);
                await WaitUntilAsync(async () => await Cluster.MembershipStatusAsync(victim) == DeadStatus, $"{silo.Name} declared dead", TimeSpan.FromSeconds(60));
                var detected = stopwatch.Elapsed;
                Output.WriteLine($"{silo.Name} declared dead {detected.TotalMilliseconds:F0} ms after its pod was deleted (Orleans' default probes: 5 s timeout, 3 missed)");
                Assert.True(detected < TimeSpan.FromSeconds(10), $"declared dead only after {detected.TotalSeconds:F1} s: by probes, not by its pod's deletion");
            });
        });
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, string what, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Waited {timeout.TotalSeconds:0} s for {what}.");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(20));
        }
    }
}
