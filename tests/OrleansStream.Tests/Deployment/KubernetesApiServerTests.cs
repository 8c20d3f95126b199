using OrleansStream.Tests.Fixtures;
using OrleansStream.Tests.Processes;
using Xunit.Abstractions;

namespace OrleansStream.Tests.Deployment;

/// <summary>
/// The manifests against a real API server (<see cref="KubeApiServer"/>): both overlays are accepted by it, and the RBAC
/// grants the silos' service account what Orleans' Kubernetes hosting needs and no more. Silos in pods against it:
/// <see cref="Processes.ThreeSiloKubernetesTests"/>.
/// </summary>
// In the PostgreSQL collection with the other end-to-end tests, so that they run one after another.
[Collection(PostgresCollection.Name)]
[Trait(Suites.Trait, Suites.EndToEnd)]
public sealed class KubernetesApiServerTests(KubeApiServer api, ITestOutputHelper output) : IClassFixture<KubeApiServer>
{
    /// <summary>Kinds the v1.20 API server has only in older versions (autoscaling/v2beta2, policy/v1beta1): checked against the models instead.</summary>
    private static readonly string[] NewerKinds = ["HorizontalPodAutoscaler", "PodDisruptionBudget"];

    [Theory]
    [InlineData("dev", "orleansstream-dev", "2")]
    [InlineData("production", "orleansstream", "3")]
    public async Task An_overlay_is_accepted_by_a_real_api_server_and_applies_twice(string overlay, string ns, string replicas)
    {
        var manifests = Manifests.Without(await Manifests.RenderAsync($"overlays/{overlay}"), NewerKinds);

        // A dry run creates nothing, so the overlay's namespace first, for real, as applying the overlay would.
        await api.KubectlWithInputAsync(Manifests.Only(manifests, ["Namespace"]), "apply", "-f", "-");
        var applied = await api.KubectlWithInputAsync(manifests, "apply", "--dry-run=server", "-f", "-");
        output.WriteLine(applied);
        Assert.Contains("deployment.apps/orleansstream-silo created (server dry run)", applied);
        Assert.Contains("role.rbac.authorization.k8s.io/orleansstream-silo created (server dry run)", applied);

        // For real, and again: the second apply changes nothing. (No pod starts: this API server runs without controllers or kubelet.)
        var created = await api.KubectlWithInputAsync(manifests, "apply", "-f", "-");
        Assert.Contains("deployment.apps/orleansstream-silo created", created);
        Assert.Equal(replicas, (await api.KubectlAsync("-n", ns, "get", "deployment", "orleansstream-silo", "-o", "jsonpath={.spec.replicas}")).Trim());
        var again = await api.KubectlWithInputAsync(manifests, "apply", "-f", "-");
        Assert.Contains("deployment.apps/orleansstream-silo unchanged", again);

        // Nothing new. (The PostgreSQL component's Secret and StatefulSet say "configured" each time: kubectl's three-way
        // diff takes kustomize's line-wrapped base64 and the server's defaults in volume claim templates for changes.)
        Assert.DoesNotContain(" created", again);
        Assert.DoesNotContain(again.Split('\n'), line => line.EndsWith(" configured", StringComparison.Ordinal)
            && !line.StartsWith("secret/orleansstream-postgres", StringComparison.Ordinal) && !line.StartsWith("statefulset.apps/orleansstream-postgres", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_role_grants_the_silos_service_account_what_kubernetes_hosting_needs_and_no_more()
    {
        await api.ApplySiloRbacAsync();
        string account = $"system:serviceaccount:{KubeApiServer.Namespace}:{KubeApiServer.SiloServiceAccount}";
        foreach (string verb in new[] { "get", "list", "watch", "patch" })
        {
            Assert.Equal("yes", await CanIAsync(verb, account));
        }

        Assert.Equal("no", await CanIAsync("delete", account));
        Assert.Equal("no", await CanIAsync("create", account));
    }

    [Fact]
    public async Task A_silo_whose_account_lacks_the_role_refuses_to_start_naming_the_verbs_it_misses()
    {
        await SiloStart.AssertRefusedAsync(
            $"--OrleansStream:Clustering=postgres --OrleansStream:Postgres=Host=nowhere --OrleansStream:Kubernetes:Hosting=on --OrleansStream:Kubernetes:KubeConfig={api.StrangerKubeConfig}",
            $"POD_NAME=silo-7d9f;POD_NAMESPACE={KubeApiServer.Namespace};POD_IP=127.0.0.1",
            $"the silo's account may not get, list, watch, patch pods in namespace \"{KubeApiServer.Namespace}\": its Role needs get, list, watch, patch on pods");
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
}
