using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;

namespace OrleansStream.Silo;

/// <summary>
/// Ends the process once a graceful stop has taken <see cref="SiloSettings.ShutdownTimeout"/>: within a pod's grace
/// period, whatever waits. With the database gone, the drain and each of Orleans' shutdown stages would wait out its
/// own timeouts in turn (two minutes measured), and the kubelet would kill the silo anyway, without a word in its log.
/// </summary>
internal static class ShutdownDeadline
{
    /// <summary>The exit code of a stop that did not finish in time: not graceful, but not a crash either.</summary>
    public const int ExitCode = 3;

    /// <summary>Starts counting; call when the stop begins.</summary>
    public static void Start(TimeSpan timeout, ILogger logger)
    {
        // A thread of its own, not a timer on the thread pool: what holds the stop up may be holding the pool too.
        var watchdog = new Thread(() =>
        {
            Thread.Sleep(timeout);
            logger.LogError("OrleansStream silo did not stop within {Timeout} s (OrleansStream:ShutdownTimeout); exiting now with code {ExitCode}.", timeout.TotalSeconds, ExitCode);

            // The console logger writes on a thread of its own: a moment for the line above.
            Thread.Sleep(TimeSpan.FromMilliseconds(200));
            if (OperatingSystem.IsWindows())
            {
                Environment.Exit(ExitCode);
            }

            // Not Environment.Exit: it runs the host's process-exit handler, which waits for the stop this gives up on.
            ExitNow(ExitCode);
        })
        {
            IsBackground = true,
            Name = "OrleansStream shutdown deadline",
        };
        watchdog.Start();
    }

    // DllImport rather than LibraryImport: a blittable int needs no marshalling code, nor the unsafe blocks LibraryImport asks for.
    [DllImport("libc", EntryPoint = "_exit")]
    private static extern void ExitNow(int status);
}
