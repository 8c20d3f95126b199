using OrleansStream.Tests.Fixtures;

namespace OrleansStream.Tests.Processes;

/// <summary>
/// A silo with a bad clustering, storage, reminders or Kubernetes setting refuses to start, naming the setting; in a
/// pod (its downward-API variables set) it turns Orleans' Kubernetes hosting on by itself.
/// </summary>
public sealed class SiloSettingsErrorTests
{
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
    public Task A_bad_setting_stops_the_silo_at_start_with_a_message_naming_it(string settings, string message, string? environment = null)
        => SiloStart.AssertRefusedAsync(settings, environment, message);

    [Fact]
    public async Task In_a_pod_whose_api_server_cannot_be_reached_the_silo_stops_at_start_instead_of_retrying_for_ever()
    {
        string kubeConfig = Path.Combine(Path.GetTempPath(), $"kubeconfig-{Guid.NewGuid():N}");
        await File.WriteAllTextAsync(kubeConfig, $"""
            apiVersion: v1
            kind: Config
            clusters: [{"{"} name: c, cluster: {"{"} server: "https://127.0.0.1:{FreePort.Next()}", insecure-skip-tls-verify: true {"}"} {"}"}]
            users: [{"{"} name: u, user: {"{"} token: t {"}"} {"}"}]
            contexts: [{"{"} name: x, context: {"{"} cluster: c, user: u {"}"} {"}"}]
            current-context: x
            """);
        try
        {
            await SiloStart.AssertRefusedAsync(
                $"--OrleansStream:Clustering=postgres --OrleansStream:Postgres=Host=nowhere --OrleansStream:Kubernetes:KubeConfig={kubeConfig}",
                "POD_NAME=silo-7d9f;POD_NAMESPACE=streams;POD_IP=10.1.2.3",
                "OrleansStream:Kubernetes:Hosting is on but the API server could not be asked what the silo may do with pods");
        }
        finally
        {
            File.Delete(kubeConfig);
        }
    }

    [Theory]
    [InlineData("", true)]
    [InlineData("--OrleansStream:Kubernetes:Hosting=off", false)]
    public async Task In_a_pod_with_postgres_clustering_the_silo_turns_kubernetes_hosting_on_and_advertises_the_pods_address(string settings, bool on)
    {
        using var process = SiloStart.Start($"--OrleansStream:Clustering=postgres --OrleansStream:Postgres=Host=nowhere {settings}".Trim(), InAPod + ";POD_IP=10.1.2.3");
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
            SiloStart.Stop(process);
        }
    }
}
