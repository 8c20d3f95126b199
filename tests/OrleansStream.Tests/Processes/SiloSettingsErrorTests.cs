using System.Diagnostics;

namespace OrleansStream.Tests.Processes;

/// <summary>A silo with a bad clustering, storage or reminders setting refuses to start, naming the setting.</summary>
public sealed class SiloSettingsErrorTests
{
    private const int ConfigurationError = 2;

    [Theory]
    [InlineData("--OrleansStream:Storage=postgres", "OrleansStream:Storage is \"postgres\" but no connection string is set: set OrleansStream:Postgres")]
    [InlineData("--OrleansStream:Clustering=postgres", "OrleansStream:Clustering is \"postgres\" but no connection string is set")]
    [InlineData("--OrleansStream:Clustering=consul", "OrleansStream:Clustering must be localhost | postgres, was \"consul\"")]
    [InlineData("--OrleansStream:Storage=1", "OrleansStream:Storage must be sqlite | postgres | memory, was \"1\"")]
    [InlineData("--OrleansStream:Reminders=redis", "OrleansStream:Reminders must be memory | postgres, was \"redis\"")]
    public async Task A_bad_setting_stops_the_silo_at_start_with_a_message_naming_it(string setting, string message)
    {
        var startInfo = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        startInfo.ArgumentList.Add(SiloProcess.SiloAssemblyPath);
        SiloProcess.IgnoreCallersSettings(startInfo);
        startInfo.ArgumentList.Add(setting);
        using var process = Process.Start(startInfo) ?? throw new InvalidOperationException("Could not start the silo.");
        try
        {
            var error = process.StandardError.ReadToEndAsync();
            var standardOutput = process.StandardOutput.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await process.WaitForExitAsync(timeout.Token);

            Assert.Equal(ConfigurationError, process.ExitCode);
            Assert.Contains(message, await error, StringComparison.Ordinal);
            Assert.DoesNotContain("Starting OrleansStream silo", await standardOutput, StringComparison.Ordinal);
        }
        finally
        {
            // A silo that did start after all must not outlive the test.
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
    }
}
