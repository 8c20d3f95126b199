using System.Diagnostics;

namespace OrleansStream.Tests.Processes;

/// <summary>Starts the silo program with settings and environment of a test's own, and checks that it refuses to start.</summary>
internal static class SiloStart
{
    /// <summary>The exit code of a silo that refuses a setting.</summary>
    public const int ConfigurationError = 2;

    /// <summary>Asserts that the silo exits with <see cref="ConfigurationError"/>, saying <paramref name="message"/> on its standard error.</summary>
    public static async Task AssertRefusedAsync(string settings, string? environment, string message)
    {
        using var process = Start(settings, environment);
        try
        {
            var error = process.StandardError.ReadToEndAsync();
            var standardOutput = process.StandardOutput.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            await process.WaitForExitAsync(timeout.Token);

            Assert.Equal(ConfigurationError, process.ExitCode);
            Assert.Contains(message, await error, StringComparison.Ordinal);
            Assert.DoesNotContain("OrleansStream silo started", await standardOutput, StringComparison.Ordinal);
        }
        finally
        {
            // A silo that did start after all must not outlive the test.
            Stop(process);
        }
    }

    /// <summary>The silo with <paramref name="settings"/> (space-separated) and <paramref name="environment"/> ("NAME=value;...").</summary>
    public static Process Start(string settings, string? environment)
    {
        var startInfo = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        startInfo.ArgumentList.Add(SiloProcess.SiloAssemblyPath);
        SiloProcess.IgnoreCallersSettings(startInfo);
        foreach (string setting in settings.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            startInfo.ArgumentList.Add(setting);
        }

        foreach (string variable in (environment ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries))
        {
            int equals = variable.IndexOf('=');
            startInfo.Environment[variable[..equals]] = variable[(equals + 1)..];
        }

        return Process.Start(startInfo) ?? throw new InvalidOperationException("Could not start the silo.");
    }

    public static void Stop(Process process)
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
        }
    }
}
