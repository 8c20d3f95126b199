using System.Diagnostics;
using System.Globalization;
using Npgsql;
using OrleansStream.Tests.Fixtures;
using OrleansStream.Tests.Processes;
using Xunit.Abstractions;

namespace OrleansStream.Tests.Deployment;

/// <summary>
/// The manifests and Orleans' Kubernetes hosting against a real API server (<see cref="KubeApiServer"/>): both
/// overlays are accepted by it, the RBAC grants the silos' service account what the hosting needs and no more, and
/// silo processes that believe they run in pods (their downward-API variables set, pods made to look alive) declare a
/// silo whose pod is deleted dead at once, with Orleans' default membership probes, which would take 15 s or more.
/// </summary>
[Collection(PostgresCollection.Name)]
[Trait(Suites.Trait, Suites.EndToEnd)]
public sealed class KubernetesApiServerTests(PostgresServer postgres, KubeApiServer api, ITestOutputHelper output) : IClassFixture<KubeApiServer>
{
    private const int DeadStatus = 6;
    private const int ActiveStatus = 3;

    /// <summary>Kinds the v1.20 API server has only in older versions (autoscaling/v2beta2, policy/v1beta1): checked by the render tests instead.</summary>
    private static readonly string[] NewerKinds = ["HorizontalPodAutoscaler", "PodDisruptionBudget"];

    [Theory]
    [InlineData("dev")]
    [InlineData("production")]
    public async Task An_overlay_is_accepted_by_a_real_api_server(string overlay)
    {
        var manifests = Without(await RenderAsync(Repository.Path("deploy", "kubernetes", "overlays", overlay)), NewerKinds);

        // A dry run creates nothing, so the overlay's namespace first, for real, as applying the overlay would.
        await api.KubectlWithInputAsync(Only(manifests, ["Namespace"]), "apply", "-f", "-");
        var applied = await api.KubectlWithInputAsync(manifests, "apply", "--dry-run=server", "-f", "-");
        output.WriteLine(applied);
        Assert.Contains("deployment.apps/orleansstream-silo created (server dry run)", applied);
        Assert.Contains("role.rbac.authorization.k8s.io/orleansstream-silo created (server dry run)", applied);
    }

    [Fact]
    public async Task The_role_grants_the_silos_service_account_what_kubernetes_hosting_needs_and_no_more()
    {
        await ApplyRbacAsync();
        string account = $"system:serviceaccount:{KubeApiServer.Namespace}:{KubeApiServer.SiloServiceAccount}";
        foreach (string verb in new[] { "get", "list", "watch", "patch" })
        {
            Assert.Equal("yes", await CanIAsync(verb, account));
        }

        Assert.Equal("no", await CanIAsync("delete", account));
        Assert.Equal("no", await CanIAsync("create", account));
    }

    [Fact]
    public async Task A_silo_whose_pod_is_deleted_is_declared_dead_at_once_with_the_default_membership_probes()
    {
        await ApplyRbacAsync();
        string clusterId = "k8s-" + Guid.NewGuid().ToString("N")[..8];
        string connectionString = await postgres.CreateDatabaseAsync(clusterId.Replace('-', '_'));
        string directory = Directory.CreateTempSubdirectory("k8s-silos-").FullName;
        var silos = new List<(SiloProcess Silo, string Pod, int Port)>();
        try
        {
            for (int i = 0; i < 3; i++)
            {
                string pod = $"silo-{i}-{Guid.NewGuid().ToString("N")[..5]}";
                await CreateRunningPodAsync(pod, clusterId);
                int port = FreePort.Next();
                silos.Add((SiloProcess.Start(pod, directory, new Dictionary<string, string>
                {
                    ["Clustering"] = "postgres",
                    ["Storage"] = "postgres",
                    ["Reminders"] = "postgres",
                    ["Postgres"] = connectionString,
                    ["ClusterId"] = clusterId,
                    ["ServiceId"] = clusterId,
                    ["SiloPort"] = port.ToString(CultureInfo.InvariantCulture),
                    ["GatewayPort"] = FreePort.Next().ToString(CultureInfo.InvariantCulture),
                    ["Kubernetes:Hosting"] = "on",
                    ["Kubernetes:KubeConfig"] = api.SiloKubeConfig,
                }, environment: new Dictionary<string, string>
                {
                    ["POD_NAME"] = pod,
                    ["POD_NAMESPACE"] = KubeApiServer.Namespace,
                    ["POD_IP"] = "127.0.0.1",
                }), pod, port));
            }

            await WaitUntilAsync(async () => await CountAsync(connectionString, clusterId, ActiveStatus) == 3, "three silos Active in the membership table", silos);
            // There is no log line for it: the API server's own metric shows when the silos' agents watch the pods.
            await WaitUntilAsync(async () => await PodWatchesAsync() >= 2, "the silos' agents to watch the pods", silos);

            // Frozen, so that it can neither leave nor answer: only its pod's deletion can tell the others.
            var (victim, victimPod, victimPort) = silos[^1];
            victim.Suspend();

            var stopwatch = Stopwatch.StartNew();
            await api.KubectlAsync("-n", KubeApiServer.Namespace, "delete", "pod", victimPod, "--grace-period=0", "--force");
            await WaitUntilAsync(async () => await StatusOfAsync(connectionString, clusterId, victimPort) == DeadStatus, $"silo {victimPod} declared dead", silos, TimeSpan.FromSeconds(60));
            var detected = stopwatch.Elapsed;
            output.WriteLine($"silo {victimPod} declared dead {detected.TotalMilliseconds:F0} ms after its pod was deleted (Orleans' default probes: 5 s timeout, 3 missed)");
            Assert.True(detected < TimeSpan.FromSeconds(10), $"declared dead only after {detected.TotalSeconds:F1} s: by probes, not by its pod's deletion");
        }
        finally
        {
            foreach (var (silo, _, _) in silos)
            {
                silo.Dispose();
            }

            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>The base's ServiceAccount, Role and RoleBinding, in the API server's test namespace.</summary>
    private async Task ApplyRbacAsync()
    {
        var rbac = Only(await RenderAsync(Repository.Path("deploy", "kubernetes", "base")), ["ServiceAccount", "Role", "RoleBinding"]);
        await api.KubectlWithInputAsync(rbac, "-n", KubeApiServer.Namespace, "apply", "-f", "-");
    }

    private async Task<string> CanIAsync(string verb, string account)
    {
        try
        {
            return (await api.KubectlAsync("auth", "can-i", verb, "pods", "-n", KubeApiServer.Namespace, "--as", account)).Trim();
        }
        catch (InvalidOperationException ex) when (ex.Message.Contains("exited with code 1", StringComparison.Ordinal) && ex.Message.Contains("\nno", StringComparison.Ordinal))
        {
            // kubectl says "no" with exit code 1.
            return "no";
        }
    }

    /// <summary>A pod as the Deployment would make it, on a node, and made to look alive (no kubelet runs here).</summary>
    private async Task CreateRunningPodAsync(string name, string clusterId)
    {
        await api.KubectlWithInputAsync($$"""
            apiVersion: v1
            kind: Pod
            metadata:
              name: {{name}}
              labels:
                app.kubernetes.io/name: orleansstream-silo
                orleans/serviceId: {{clusterId}}
                orleans/clusterId: {{clusterId}}
            spec:
              nodeName: node-1
              serviceAccountName: {{KubeApiServer.SiloServiceAccount}}
              automountServiceAccountToken: false
              containers:
                - name: silo
                  image: localhost/orleansstream-silo:0.1
            """, "-n", KubeApiServer.Namespace, "apply", "-f", "-");
        await api.KubectlAsync("-n", KubeApiServer.Namespace, "patch", "pod", name, "--subresource=status", "--type=merge", "-p",
            """{"status":{"phase":"Running","podIP":"127.0.0.1","conditions":[{"type":"Ready","status":"True"}]}}""");
    }

    private async Task<int> PodWatchesAsync()
    {
        var metrics = await api.KubectlAsync("get", "--raw", "/metrics");
        return metrics.Split('\n')
            .Where(line => line.StartsWith("apiserver_longrunning_gauge{", StringComparison.Ordinal) && line.Contains("resource=\"pods\"", StringComparison.Ordinal) && line.Contains("verb=\"WATCH\"", StringComparison.Ordinal))
            .Sum(line => (int)double.Parse(line[(line.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture));
    }

    private static async Task<long> CountAsync(string connectionString, string clusterId, int status)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var exists = new NpgsqlCommand("SELECT to_regclass('orleans_membership') IS NOT NULL", connection);
        if (await exists.ExecuteScalarAsync() is not true)
        {
            return 0;
        }

        await using var command = new NpgsqlCommand("SELECT count(*) FROM orleans_membership WHERE deployment_id = @cluster AND status = @status", connection);
        command.Parameters.AddWithValue("cluster", clusterId);
        command.Parameters.AddWithValue("status", status);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private static async Task<int?> StatusOfAsync(string connectionString, string clusterId, int port)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT status FROM orleans_membership WHERE deployment_id = @cluster AND port = @port ORDER BY generation DESC LIMIT 1", connection);
        command.Parameters.AddWithValue("cluster", clusterId);
        command.Parameters.AddWithValue("port", port);
        return await command.ExecuteScalarAsync() as int?;
    }

    private async Task WaitUntilAsync(Func<Task<bool>> condition, string what, IReadOnlyList<(SiloProcess Silo, string Pod, int Port)> silos, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? JobWatch.Patience);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                silos.ToList().ForEach(s => output.WriteLine(s.Silo.Output()));
                throw new TimeoutException($"Waited for {what}.");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(50));
        }
    }

    private static async Task<string> RenderAsync(string kustomization)
        => await ProcessRunner.RunAsync("kubectl", ["kustomize", kustomization], TimeSpan.FromSeconds(60));

    private static string Without(string manifests, string[] kinds) => string.Join("\n---\n", Documents(manifests).Where(d => !kinds.Contains(KindOf(d))));

    private static string Only(string manifests, string[] kinds) => string.Join("\n---\n", Documents(manifests).Where(d => kinds.Contains(KindOf(d))));

    private static IEnumerable<string> Documents(string manifests) => manifests.Split("\n---\n").Where(d => !string.IsNullOrWhiteSpace(d));

    private static string KindOf(string document)
        => document.Split('\n').First(line => line.StartsWith("kind: ", StringComparison.Ordinal))["kind: ".Length..].Trim();
}
