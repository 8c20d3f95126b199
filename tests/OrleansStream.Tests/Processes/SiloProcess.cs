using System.Diagnostics;
using System.Reflection;
using System.Text;
using OrleansStream.Tests.Fixtures;

namespace OrleansStream.Tests.Processes;

/// <summary>
/// One real silo process (<c>dotnet orleansstream-silo.dll</c>) started with the given
/// <c>--OrleansStream:Key=value</c> settings. Killed on dispose, or by a <see cref="ServerWatchdog"/>
/// when the test host dies first. Its output is kept for failure messages.
/// </summary>
internal sealed class SiloProcess : IDisposable
{
    private const int KeptOutputLines = 200;

    private readonly Process _process;
    private readonly Queue<string> _output = new();

    private SiloProcess(string name, Process process)
    {
        Name = name;
        _process = process;
    }

    public string Name { get; }

    public bool HasExited => _process.HasExited;

    /// <summary>
    /// The silo assembly built next to the tests': the test project references the silo project (not
    /// its assembly) so that building the tests builds it, and the build writes its path into the
    /// test assembly.
    /// </summary>
    public static string SiloAssemblyPath => BuiltAssembly("SiloAssembly");

    /// <summary>The path of a program assembly the build recorded in the test assembly's metadata under <paramref name="key"/>.</summary>
    public static string BuiltAssembly(string key)
    {
        var path = typeof(SiloProcess).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(attribute => attribute.Key == key).Value!;
        return File.Exists(path) ? path : throw new FileNotFoundException($"{key} was not built at {path}; build OrleansStream.sln first.", path);
    }

    public static SiloProcess Start(string name, string workingDirectory, IReadOnlyDictionary<string, string> settings)
    {
        var startInfo = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        startInfo.ArgumentList.Add(SiloAssemblyPath);
        IgnoreCallersSettings(startInfo);
        foreach (var (key, value) in settings)
        {
            startInfo.ArgumentList.Add($"--OrleansStream:{key}={value}");
        }

        var process = Process.Start(startInfo) ?? throw new InvalidOperationException($"Could not start silo {name}.");
        // From here on the silo runs: make sure it is stopped even if the test host dies.
        ServerWatchdog.Start(stillRunning: $"kill -0 {process.Id}", cleanup: $"kill -9 {process.Id}");
        var silo = new SiloProcess(name, process);
        process.OutputDataReceived += (_, e) => silo.Append(e.Data);
        process.ErrorDataReceived += (_, e) => silo.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return silo;
    }

    /// <summary>
    /// Only the test's own settings count: ORLEANSSTREAM_ variables of whoever runs the tests would override
    /// appsettings.json, and a test run in a pod must not turn the silos' Kubernetes hosting on.
    /// </summary>
    public static void IgnoreCallersSettings(ProcessStartInfo startInfo)
    {
        string[] pod = ["POD_NAME", "POD_NAMESPACE", "POD_IP", "KUBERNETES_SERVICE_HOST", "ORLEANS_CLUSTER_ID", "ORLEANS_SERVICE_ID"];
        foreach (var name in startInfo.Environment.Keys.Where(name => name.StartsWith("ORLEANSSTREAM_", StringComparison.OrdinalIgnoreCase) || pod.Contains(name)).ToList())
        {
            startInfo.Environment.Remove(name);
        }
    }

    /// <summary>The last lines the silo wrote, for a failure message.</summary>
    public string Output()
    {
        lock (_output)
        {
            var text = new StringBuilder($"--- silo {Name} ({(_process.HasExited ? $"exited with {_process.ExitCode}" : "running")}) ---\n");
            foreach (var line in _output)
            {
                text.AppendLine(line);
            }

            return text.ToString();
        }
    }

    /// <summary>Sends SIGTERM, as Kubernetes does to stop a pod, and waits for the silo to exit; returns its exit code.</summary>
    public async Task<int> TerminateAsync(TimeSpan timeout)
    {
        using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }

        using var deadline = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(deadline.Token);
        return _process.ExitCode;
    }

    /// <summary>Freezes the silo with SIGSTOP: it keeps its connections and its place in the cluster but answers nothing, as a silo stuck in a long pause does.</summary>
    public void Suspend() => Signal("-STOP");

    /// <summary>Lets a suspended silo go on (SIGCONT).</summary>
    public void Resume() => Signal("-CONT");

    /// <summary>Kills the silo without letting it leave the cluster: a crash, as membership sees it.</summary>
    public void Kill()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }
    }

    public void Dispose()
    {
        try
        {
            Kill();
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }

        _process.Dispose();
    }

    private void Signal(string signal)
    {
        if (!_process.HasExited)
        {
            using var kill = Process.Start("kill", [signal, _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
            kill.WaitForExit();
        }
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.Enqueue(line);
            if (_output.Count > KeptOutputLines)
            {
                _output.Dequeue();
            }
        }
    }
}
