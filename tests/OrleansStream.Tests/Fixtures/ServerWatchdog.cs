using System.Diagnostics;

namespace OrleansStream.Tests.Fixtures;

/// <summary>
/// Cleans up after a server fixture when the test host dies without disposing it. A process-exit
/// handler is not enough: the test platform tears the host down before such handlers finish, and
/// nothing runs at all after a kill -9. So a small shell loop outside the host polls it and, once it
/// is gone, runs the clean-up; it exits quietly as soon as the fixture was disposed the normal way.
/// </summary>
internal static class ServerWatchdog
{
    /// <param name="stillRunning">A shell test that succeeds while the server still needs stopping.</param>
    /// <param name="cleanup">Shell commands that stop the server and remove its files.</param>
    public static void Start(string stillRunning, string cleanup)
    {
        var script = $"exec </dev/null >/dev/null 2>&1; while kill -0 {Environment.ProcessId}; do {stillRunning} || exit 0; sleep 1; done; {cleanup}";
        var startInfo = new ProcessStartInfo("/bin/sh")
        {
            UseShellExecute = false,
            // Our own pipes, not the host's output: the test runner must not wait for the watchdog.
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        startInfo.ArgumentList.Add("-c");
        startInfo.ArgumentList.Add(script);
        using var watchdog = Process.Start(startInfo) ?? throw new InvalidOperationException("Could not start the server watchdog.");
    }

    /// <summary>Quotes a value for the shell.</summary>
    public static string Quote(string value) => "'" + value.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    public static string Command(string fileName, IEnumerable<string> arguments) => string.Join(' ', new[] { fileName }.Concat(arguments).Select(Quote));
}
