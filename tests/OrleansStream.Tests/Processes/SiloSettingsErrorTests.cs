using System.Diagnostics;

namespace OrleansStream.Tests.Processes;

/// <summary>
/// A silo with a bad clustering, storage, reminders or Kubernetes setting refuses to start, naming the setting; in a
/// pod (its downward-API variables set) it turns Orleans' Kubernetes hosting on by itself.
/// </summary>
public sealed class SiloSettingsErrorTests
{
    private const int ConfigurationError = 2;

    /// <summary>What a pod's downward API sets, and the API server's address that the kubelet sets in every pod.</summary>
    private const string InAPod = "POD_NAME=silo-7d9f;POD_NAMESPACE=streams;KUBERNETES_SERVICE_HOST=10.0.0.1";

    [Theory]
    [InlineData("--OrleansStream:Storage=postgres", "OrleansStream:Storage is \"postgres\" but no connection string is set: set OrleansStream:Postgres")]
    [InlineData("--OrleansStream:Clustering=postgres", "OrleansStream:Clustering is \"postgres\" but no connection string is set")]
    [InlineData("--OrleansStream:Clustering=consul", "OrleansStream:Clustering must be localhost | postgres, was \"consul\"")]
    [InlineData("--OrleansStream:Storage=1", "OrleansStream:Storage must be sqlite | postgres | memory, was \"1\"")]
    [InlineData("--OrleansStream:Reminders=redis", "OrleansStream:Reminders must be memory | postgres, was \"redis\"")]
    [InlineData("--OrleansStream:ShutdownTimeout=00:00:00", "OrleansStream:ShutdownTimeout must be positive, was 00:00:00")]
    [InlineData("--OrleansStream:Kubernetes:Hosting=maybe", "OrleansStream:Kubernetes:Hosting must be auto | on | off, was \"maybe\"")]
    [InlineData("--OrleansStream:Kubernetes:Hosting=on", "OrleansStream:Kubernetes:Hosting is on but POD_NAME and POD_NAMESPACE are not set")]
    [InlineData("--OrleansStream:Kubernetes:Hosting=on", "is on but there is no API server to reach: KUBERNETES_SERVICE_HOST is not set", "POD_NAME=silo-7d9f;POD_NAMESPACE=streams")]
    [InlineData("--OrleansStream:Kubernetes:Hosting=on --OrleansStream:Kubernetes:KubeConfig=/nonexistent/kubeconfig", "OrleansStream:Kubernetes:KubeConfig names \"/nonexistent/kubeconfig\", which does not exist", "POD_NAME=silo-7d9f;POD_NAMESPACE=streams")]
    [InlineData("--OrleansStream:Kubernetes:Hosting=on", "OrleansStream:Clustering is \"localhost\": pod-aware membership needs the shared membership table (postgres)", InAPod)]
    [InlineData("--OrleansStream:Clustering=postgres --OrleansStream:Postgres=Host=nowhere", "is on but POD_IP is not an IP address (\"\"): set it from the pod's status.podIP", InAPod)]
    [InlineData("--OrleansStream:Clustering=postgres --OrleansStream:Postgres=Host=nowhere", "ORLEANS_CLUSTER_ID is \"other\" but OrleansStream:ClusterId is \"orleansstream\"", InAPod + ";POD_IP=10.1.2.3;ORLEANS_CLUSTER_ID=other")]
    public async Task A_bad_setting_stops_the_silo_at_start_with_a_message_naming_it(string settings, string message, string? environment = null)
    {
        using var process = Start(settings, environment);
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
            Stop(process);
        }
    }

    [Theory]
    [InlineData("", true)]
    [InlineData("--OrleansStream:Kubernetes:Hosting=off", false)]
    public async Task In_a_pod_with_postgres_clustering_the_silo_turns_kubernetes_hosting_on_and_advertises_the_pods_address(string settings, bool on)
    {
        using var process = Start($"--OrleansStream:Clustering=postgres --OrleansStream:Postgres=Host=nowhere {settings}".Trim(), InAPod + ";POD_IP=10.1.2.3");
        try
        {
            // The silo says how it starts before it reaches for the (missing) database and API server.
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            string? line;
            while ((line = await process.StandardOutput.ReadLineAsync(timeout.Token)) is not null && !line.Contains("Starting OrleansStream silo", StringComparison.Ordinal))
            {
            }

            Assert.NotNull(line);
            Assert.Equal(on, line.Contains("clustering Postgres with Kubernetes hosting (pod address 10.1.2.3)", StringComparison.Ordinal));
        }
        finally
        {
            Stop(process);
        }
    }

    /// <summary>The silo with <paramref name="settings"/> (space-separated) and <paramref name="environment"/> ("NAME=value;...").</summary>
    private static Process Start(string settings, string? environment)
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

    private static void Stop(Process process)
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
        }
    }
}
