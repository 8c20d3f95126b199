using OrleansStream.Tests.Fixtures;
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
    [InlineData("dev")]
    [InlineData("production")]
    public async Task An_overlay_is_accepted_by_a_real_api_server(string overlay)
    {
        var manifests = Manifests.Without(await Manifests.RenderAsync($"overlays/{overlay}"), NewerKinds);

        // A dry run creates nothing, so the overlay's namespace first, for real, as applying the overlay would.
        await api.KubectlWithInputAsync(Manifests.Only(manifests, ["Namespace"]), "apply", "-f", "-");
        var applied = await api.KubectlWithInputAsync(manifests, "apply", "--dry-run=server", "-f", "-");
        output.WriteLine(applied);
        Assert.Contains("deployment.apps/orleansstream-silo created (server dry run)", applied);
        Assert.Contains("role.rbac.authorization.k8s.io/orleansstream-silo created (server dry run)", applied);
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
