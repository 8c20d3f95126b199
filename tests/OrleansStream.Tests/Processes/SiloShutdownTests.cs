using System.Diagnostics;
using System.Globalization;
using OrleansStream.Tests.Fixtures;
using Xunit.Abstractions;

namespace OrleansStream.Tests.Processes;

/// <summary>
/// A silo stopped with SIGTERM exits within a pod's grace period even when its PostgreSQL (membership, reminders,
/// state) is gone: the drain and Orleans' own shutdown stages would otherwise each wait out their timeouts in turn.
/// </summary>
[Collection(PostgresCollection.Name)]
[Trait(Suites.Trait, Suites.EndToEnd)]
public sealed class SiloShutdownTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_silo_whose_database_is_gone_still_exits_within_the_grace_period_on_sigterm()
    {
        // A database of its own, so that stopping it touches no other test.
        var postgres = await PostgresServer.StartAsync();
        string directory = Directory.CreateTempSubdirectory("shutdown-").FullName;
        SiloProcess? silo = null;
        try
        {
            string connectionString = postgres.ConnectionString;
            silo = SiloProcess.Start("silo", directory, new Dictionary<string, string>
            {
                ["Clustering"] = "postgres",
                ["Storage"] = "postgres",
                ["Reminders"] = "postgres",
                ["Postgres"] = connectionString,
                ["ClusterId"] = "shutdown",
                ["ServiceId"] = "shutdown",
                ["SiloPort"] = FreePort.Next().ToString(CultureInfo.InvariantCulture),
                ["GatewayPort"] = FreePort.Next().ToString(CultureInfo.InvariantCulture),
            });
            var deadline = DateTime.UtcNow + JobWatch.Patience;
            while (!silo.Output().Contains("OrleansStream silo started", StringComparison.Ordinal))
            {
                Assert.True(DateTime.UtcNow < deadline && !silo.HasExited, $"the silo did not start:\n{silo.Output()}");
                await Task.Delay(100);
            }

            await postgres.DisposeAsync();
            var stopwatch = Stopwatch.StartNew();
            int exitCode = await silo.TerminateAsync(TimeSpan.FromMinutes(5));
            output.WriteLine($"exited with {exitCode} {stopwatch.Elapsed.TotalSeconds:F1} s after SIGTERM, its database gone");

            // Within the manifests' 60 s grace period, by the 45 s default of OrleansStream:ShutdownTimeout, and saying so.
            Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(60), $"took {stopwatch.Elapsed.TotalSeconds:F1} s:\n{silo.Output()}");
            Assert.Equal(3, exitCode);
            Assert.Contains("OrleansStream silo did not stop within 45 s (OrleansStream:ShutdownTimeout); exiting now with code 3.", silo.Output());
        }
        finally
        {
            silo?.Dispose();
            await postgres.DisposeAsync();
            Directory.Delete(directory, recursive: true);
        }
    }
}
