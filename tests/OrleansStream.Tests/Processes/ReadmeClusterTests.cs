using System.Diagnostics;
using System.Text.RegularExpressions;
using OrleansStream.Tests.Fixtures;
using Xunit.Abstractions;

namespace OrleansStream.Tests.Processes;

/// <summary>
/// The README's "Several silos over PostgreSQL" section, run as a script exactly as written (PostgreSQL, two silos,
/// the IP count, two rescales, a killed silo, the clean-up), twice in a row: its commands must work, and leave
/// nothing behind that stops them from working again.
/// </summary>
[Trait(Suites.Trait, Suites.EndToEnd)]
public sealed partial class ReadmeClusterTests(ITestOutputHelper output)
{
    [Fact]
    public async Task The_cluster_section_runs_as_written_twice_in_a_row()
    {
        string script = Path.Combine(Path.GetTempPath(), $"readme-cluster-{Guid.NewGuid():N}.sh");
        File.WriteAllText(script, ClusterSection(File.ReadAllText(Repository.Path("README.md"))));
        try
        {
            for (int run = 1; run <= 2; run++)
            {
                var (exitCode, text) = await RunAsync(script);
                output.WriteLine($"--- run {run}: exit code {exitCode} ---\n{text}");
                Assert.True(exitCode == 0, $"Run {run} of the README's cluster section ended with exit code {exitCode}:\n{text}");
                Assert.Contains("key groups moved", text);
                Assert.Contains("Finished", text);
                Assert.False(Directory.Exists("/tmp/orleansstream-pg"), "the clean-up leaves the database directory behind");
            }
        }
        finally
        {
            File.Delete(script);
        }
    }

    /// <summary>The bash block that starts with the README's step 1.</summary>
    private static string ClusterSection(string readme)
        => BashBlocks().Matches(readme).Select(m => m.Groups[1].Value).Single(block => block.StartsWith("# 1. PostgreSQL", StringComparison.Ordinal));

    private static async Task<(int ExitCode, string Output)> RunAsync(string script)
    {
        // -e: every command of the section must succeed; status --watch and submit wait on the job, which must finish.
        var start = new ProcessStartInfo("bash", ["-e", script])
        {
            WorkingDirectory = Repository.Path(),
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["PATH"] = $"/usr/lib/postgresql/15/bin:{Environment.GetEnvironmentVariable("PATH")}";
        SiloProcess.IgnoreCallersSettings(start);
        using var process = Process.Start(start)!;
        ServerWatchdog.Start(stillRunning: $"kill -0 {process.Id}", cleanup: $"pkill -9 -P {process.Id}; kill -9 {process.Id}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(10));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout + await stderr);
    }

    [GeneratedRegex(@"```bash\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex BashBlocks();
}
