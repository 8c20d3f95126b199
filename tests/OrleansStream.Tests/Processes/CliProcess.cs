using System.Diagnostics;
using OrleansStream.Tests.Fixtures;

namespace OrleansStream.Tests.Processes;

/// <summary>What one run of the orleansstream command printed and how it exited.</summary>
internal sealed record CliResult(int ExitCode, string Output, string Error)
{
    public override string ToString() => $"exit code {ExitCode}\n--- stdout ---\n{Output}\n--- stderr ---\n{Error}";
}

/// <summary>Runs the orleansstream command (<c>dotnet orleansstream-cli.dll</c>) as a user would, to its end.</summary>
internal static class CliProcess
{
    public static async Task<CliResult> RunAsync(params string[] arguments)
    {
        var startInfo = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        startInfo.ArgumentList.Add(SiloProcess.BuiltAssembly("CliAssembly"));
        SiloProcess.IgnoreCallersSettings(startInfo);
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        using var process = Process.Start(startInfo) ?? throw new InvalidOperationException("Could not start the CLI.");
        ServerWatchdog.Start(stillRunning: $"kill -0 {process.Id}", cleanup: $"kill -9 {process.Id}");
        try
        {
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
            await process.WaitForExitAsync(timeout.Token);
            return new CliResult(process.ExitCode, await output, await error);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
    }
}
