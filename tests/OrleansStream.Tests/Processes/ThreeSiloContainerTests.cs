using System.Diagnostics;
using System.Text.Json;
using OrleansStream.Tests.Fixtures;
using Xunit.Abstractions;

namespace OrleansStream.Tests.Processes;

/// <summary>
/// The three-silo workflow with each silo in a podman container of the silo image (deploy/container, built by
/// <c>test.sh --end-to-end</c> before the tests): as a non-root user with a read-only root file system, configured
/// by its command line only, killed with <c>podman kill</c> and stopped with SIGTERM through the container runtime.
/// The CLI image reaches the same cluster.
/// </summary>
public sealed class ThreeSiloContainerTests(PostgresServer postgres, ITestOutputHelper output)
    : ThreeSiloClusterTests(postgres, output, SiloImage)
{
    public const string SiloImage = "localhost/orleansstream-silo:0.1";

    public const string CliImage = "localhost/orleansstream-cli:0.1";

    [Fact]
    public async Task The_cli_image_lists_the_silos_of_the_cluster()
    {
        await Cluster.WithOutputOnFailureAsync(Output, async () =>
        {
            await Cluster.WaitUntilActiveAsync();
            var start = new ProcessStartInfo("podman") { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (string argument in (string[])["run", "--rm", "--network", "host", "--read-only", CliImage, "cluster", "--json", .. Cluster.CliOptions])
            {
                start.ArgumentList.Add(argument);
            }

            using var cli = Process.Start(start) ?? throw new InvalidOperationException("podman did not start.");
            var listed = cli.StandardOutput.ReadToEndAsync();
            var error = cli.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(JobWatch.Patience);
            await cli.WaitForExitAsync(timeout.Token);
            Assert.True(cli.ExitCode == 0, $"podman run {CliImage} cluster: exit {cli.ExitCode}: {await error}");

            var silos = JsonDocument.Parse(await listed).RootElement.GetProperty("silos");
            Assert.Equal(3, silos.GetArrayLength());
            Assert.All(silos.EnumerateArray(), silo => Assert.Equal(SlotsPerSilo, silo.GetProperty("slots").GetInt32()));
        });
    }
}
