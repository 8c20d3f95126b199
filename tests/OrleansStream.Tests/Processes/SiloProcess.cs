using System.Diagnostics;
using System.Reflection;
using System.Text;
using OrleansStream.Tests.Fixtures;

namespace OrleansStream.Tests.Processes;

/// <summary>
/// One real silo process (<c>dotnet orleansstream-silo.dll</c>), or the silo image run in a podman container, started
/// with the given <c>--OrleansStream:Key=value</c> settings. Killed on dispose, or by a <see cref="ServerWatchdog"/>
/// when the test host dies first. Its output is kept for failure messages.
/// </summary>
internal sealed class SiloProcess : IDisposable
{
    private const int KeptOutputLines = 200;

    private readonly Process _process;
    private readonly Queue<string> _output = new();

    /// <summary>The podman container the silo runs in; null for a plain process.</summary>
    private readonly string? _container;

    private SiloProcess(string name, Process process, string? container)
    {
        Name = name;
        _process = process;
        _container = container;
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

    /// <param name="name">The silo's name in the test's output.</param>
    /// <param name="workingDirectory">Its working directory, where jobs read and write their files.</param>
    /// <param name="settings">Its <c>OrleansStream</c> settings.</param>
    /// <param name="image">
    /// Run the silo image in a podman container rather than a process: on the host's network, as user 10001 with a
    /// read-only root file system, <paramref name="workingDirectory"/> and <paramref name="mounts"/> mounted at the same
    /// paths (the latter read-only).
    /// </param>
    /// <param name="mounts">Host directories a containerized silo reads (job assemblies).</param>
    /// <param name="environment">Environment variables of a silo process (a pod's downward-API variables).</param>
    /// <param name="network">The arguments of <c>podman run</c> that place a containerized silo on a network; null, the host's.</param>
    public static SiloProcess Start(
        string name, string workingDirectory, IReadOnlyDictionary<string, string> settings, string? image = null, IReadOnlyList<string>? mounts = null,
        IReadOnlyDictionary<string, string>? environment = null, IReadOnlyList<string>? network = null)
    {
        var startInfo = new ProcessStartInfo(image is null ? "dotnet" : "podman")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        string? container = null;
        if (image is null)
        {
            startInfo.ArgumentList.Add(SiloAssemblyPath);
        }
        else
        {
            container = $"orleansstream-test-{name}-{Guid.NewGuid():N}"[..40];
            string[] run = ["run", "--rm", "--name", container, .. network ?? ["--network", "host"], "--read-only", "--tmpfs", "/tmp", "-v", $"{workingDirectory}:{workingDirectory}", "-w", workingDirectory];
            run.ToList().ForEach(startInfo.ArgumentList.Add);
            foreach (string mount in mounts ?? [])
            {
                startInfo.ArgumentList.Add("-v");
                startInfo.ArgumentList.Add($"{mount}:{mount}:ro");
            }

            startInfo.ArgumentList.Add(image);
        }

        IgnoreCallersSettings(startInfo);
        foreach (var (key, value) in settings)
        {
            startInfo.ArgumentList.Add($"--OrleansStream:{key}={value}");
        }

        foreach (var (variable, value) in environment ?? new Dictionary<string, string>())
        {
            startInfo.Environment[variable] = value;
        }

        var process = Process.Start(startInfo) ?? throw new InvalidOperationException($"Could not start silo {name}.");
        // From here on the silo runs: make sure it is stopped even if the test host dies.
        ServerWatchdog.Start(
            stillRunning: $"kill -0 {process.Id}",
            cleanup: container is null ? $"kill -9 {process.Id}" : $"podman rm -f {container} >/dev/null 2>&1; kill -9 {process.Id}");
        var silo = new SiloProcess(name, process, container);
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
        // To a container's silo as the kubelet sends it: podman passes it to the container's first process.
        using (var kill = _container is null
            ? Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])
            : Podman("kill", "--signal", "TERM", _container))
        {
            await kill.WaitForExitAsync();
        }

        using var deadline = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(deadline.Token);
        return _process.ExitCode;
    }

    /// <summary>The silo's resident memory (VmRSS) in bytes, or null once it exited.</summary>
    public long? ResidentBytes()
    {
        try
        {
            string? line = File.ReadLines($"/proc/{_process.Id}/status").FirstOrDefault(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
            return line is null ? null : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture) * 1024;
        }
        catch (Exception ex) when (ex is IOException or InvalidOperationException)
        {
            return null;
        }
    }

    /// <summary>Freezes the silo with SIGSTOP: it keeps its connections and its place in the cluster but answers nothing, as a silo stuck in a long pause does.</summary>
    public void Suspend() => Signal("-STOP");

    /// <summary>Lets a suspended silo go on (SIGCONT).</summary>
    public void Resume() => Signal("-CONT");

    /// <summary>Kills the silo without letting it leave the cluster: a crash, as membership sees it.</summary>
    public void Kill()
    {
        if (_container is not null && !_process.HasExited)
        {
            // Killing the podman client would leave the container running.
            using var kill = Podman("kill", "--signal", "KILL", _container);
            kill.WaitForExit();

            // The client removes the container (--rm) once it has exited: let it.
            _process.WaitForExit(TimeSpan.FromSeconds(30));
        }

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

    /// <summary>A podman command whose output (the container's name) stays out of the test's.</summary>
    private static Process Podman(params string[] arguments)
    {
        var start = new ProcessStartInfo("podman") { RedirectStandardOutput = true, RedirectStandardError = true };
        arguments.ToList().ForEach(start.ArgumentList.Add);
        var podman = Process.Start(start) ?? throw new InvalidOperationException("podman did not start.");
        podman.StandardOutput.ReadToEndAsync().Ignore();
        podman.StandardError.ReadToEndAsync().Ignore();
        return podman;
    }

    private void Signal(string signal)
    {
        if (_container is not null)
        {
            throw new NotSupportedException("A containerized silo is stopped with Kill or TerminateAsync.");
        }

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
