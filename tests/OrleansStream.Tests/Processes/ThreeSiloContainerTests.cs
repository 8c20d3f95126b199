using System.Text.Json;
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
}
