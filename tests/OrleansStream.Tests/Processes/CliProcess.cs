using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using OrleansStream.Client;
using OrleansStream.Contracts.Jobs;
using OrleansStream.Tests.Fixtures;

namespace OrleansStream.Tests.Processes;

/// <summary>What one run of the orleansstream command printed and how it exited.</summary>
internal sealed record CliResult(int ExitCode, string Output, string Error)
{
    public override string ToString() => $"exit code {ExitCode}\n--- stdout ---\n{Output}\n--- stderr ---\n{Error}";
}

/// <summary>Runs the orleansstream command (<c>dotnet orleansstream-cli.dll</c>) as a user would.</summary>
internal static class CliProcess
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    /// <summary>Runs the command to its end (two minutes at most, or <paramref name="timeout"/>).</summary>
    /// <param name="arguments">The command's arguments.</param>
    /// <param name="timeout">How long it may take (two minutes by default).</param>
    /// <param name="container">
    /// The arguments of <c>podman</c> that run the CLI image (<c>run … image</c>) to run the command in a container instead of
    /// from the build; null, from the build.
    /// </param>
    /// <param name="environment">Variables to set for the command, such as ORLEANSSTREAM_POSTGRES.</param>
    public static async Task<CliResult> RunAsync(string[] arguments, TimeSpan? timeout = null, IReadOnlyList<string>? container = null, IReadOnlyDictionary<string, string>? environment = null)
    {
        using var run = CliRun.Start(arguments, container: container, environment: environment);
        return await run.WaitForExitAsync(timeout ?? TimeSpan.FromSeconds(120));
    }

    public static Task<CliResult> RunAsync(params string[] arguments) => RunAsync(arguments, timeout: null);

    /// <summary>A job's status as <c>status --json</c> prints it.</summary>
    public static JobStatus ParseStatus(string json) => JsonSerializer.Deserialize<JobStatus>(json, Json)!;

    /// <summary>
    /// Follows a job through <c>status --json</c>. While membership has not yet declared a killed silo dead a
    /// command may not reach the cluster (exit 3) or get no answer in time (exit 75): that is asked again.
    /// </summary>
    public static JobWatch Watch(string jobId, string[] clusterOptions, Xunit.Abstractions.ITestOutputHelper? output = null, SourceGate? gate = null)
        => new(jobId, async cancellationToken =>
        {
            var result = await RunAsync(["status", jobId, "--json", .. clusterOptions]);
            return result.ExitCode switch
            {
                0 => ParseStatus(result.Output),
                3 => throw new ClusterUnavailableException(result.ToString()),
                75 => throw new StreamClientException(result.ToString()),
                _ => throw new InvalidOperationException($"orleansstream status {jobId}: {result}"),
            };
        }, output, gate);
}

/// <summary>
/// One orleansstream command running in the background: a test reads what it printed so far, interrupts it as
/// Ctrl+C does, and waits for its end. Killed on dispose, or by a <see cref="ServerWatchdog"/> if the test host dies.
/// </summary>
internal sealed class CliRun : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly StringBuilder _error = new();
    private readonly TaskCompletionSource _outputClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _errorClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private CliRun(Process process) => _process = process;

    public bool HasExited => _process.HasExited;

    /// <summary>What the command wrote to standard output so far.</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>
    /// Starts the command. With <paramref name="interruptible"/> it starts with SIGINT at its default disposition,
    /// as from a terminal, even when the test host was started with SIGINT ignored (as background jobs of
    /// non-interactive shells are), which the child would inherit.
    /// </summary>
    public static CliRun Start(IEnumerable<string> arguments, bool interruptible = false, IReadOnlyList<string>? container = null, IReadOnlyDictionary<string, string>? environment = null)
    {
        var startInfo = new ProcessStartInfo(container is not null ? "podman" : interruptible ? "env" : "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (container is not null)
        {
            container.ToList().ForEach(startInfo.ArgumentList.Add);
        }
        else
        {
            if (interruptible)
            {
                startInfo.ArgumentList.Add("--default-signal=INT");
                startInfo.ArgumentList.Add("dotnet");
            }

            startInfo.ArgumentList.Add(SiloProcess.BuiltAssembly("CliAssembly"));
        }

        SiloProcess.IgnoreCallersSettings(startInfo);
        foreach (var (variable, value) in environment ?? new Dictionary<string, string>())
        {
            startInfo.Environment[variable] = value;
        }

        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        var process = Process.Start(startInfo) ?? throw new InvalidOperationException("Could not start the CLI.");
        ServerWatchdog.Start(stillRunning: $"kill -0 {process.Id}", cleanup: $"kill -9 {process.Id}");
        var run = new CliRun(process);
        process.OutputDataReceived += (_, e) => run.Append(run._output, run._outputClosed, e.Data);
        process.ErrorDataReceived += (_, e) => run.Append(run._error, run._errorClosed, e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return run;
    }

    /// <summary>Waits until the command has printed something that <paramref name="printed"/> accepts, or fails.</summary>
    public Task WaitForOutputAsync(Func<string, bool> printed, string what, TimeSpan timeout) => WaitForAsync(() => Output, _outputClosed, printed, what, timeout);

    /// <summary>Waits until the command has written something to standard error that <paramref name="printed"/> accepts, or fails.</summary>
    public Task WaitForErrorAsync(Func<string, bool> printed, string what, TimeSpan timeout) => WaitForAsync(Error, _errorClosed, printed, what, timeout);

    private async Task WaitForAsync(Func<string> read, TaskCompletionSource closed, Func<string, bool> printed, string what, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!printed(read()))
        {
            if (HasExited && closed.Task.IsCompleted)
            {
                Assert.Fail($"the command ended before it printed {what}: exit code {_process.ExitCode}\n{Output}\n{Error()}");
            }

            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"the command printed no {what} within {timeout.TotalSeconds:0} s:\n{Output}\n{Error()}");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(50));
        }
    }

    /// <summary>Sends SIGINT, what Ctrl+C sends.</summary>
    public void Interrupt()
    {
        using var kill = Process.Start("kill", ["-INT", _process.Id.ToString(CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
    }

    public async Task<CliResult> WaitForExitAsync(TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(deadline.Token);
            await Task.WhenAll(_outputClosed.Task, _errorClosed.Task).WaitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"The command did not end within {timeout.TotalSeconds:0} s:\n{Output}\n{Error()}");
        }

        return new CliResult(_process.ExitCode, Output, Error());
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }

        _process.Dispose();
    }

    private string Error()
    {
        lock (_error)
        {
            return _error.ToString();
        }
    }

    private void Append(StringBuilder text, TaskCompletionSource closed, string? line)
    {
        if (line is null)
        {
            closed.TrySetResult();
            return;
        }

        lock (text)
        {
            text.Append(line).Append('\n');
        }
    }
}
