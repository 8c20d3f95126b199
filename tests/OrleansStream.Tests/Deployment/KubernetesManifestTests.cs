using System.Text.Json;
using OrleansStream.Runtime.Hosting;
using OrleansStream.Tests.Fixtures;
using YamlDotNet.RepresentationModel;

namespace OrleansStream.Tests.Deployment;

/// <summary>
/// The kustomize overlays under deploy/kubernetes, rendered with the kubectl on the machine: what Orleans' Kubernetes
/// hosting needs (RBAC verbs, the downward-API variables, the pod labels it watches), probes on the silo's health
/// endpoints, ports and a grace period that match the silo's settings, and what each overlay adds.
/// </summary>
public sealed class KubernetesManifestTests
{
    [Theory]
    [InlineData("dev")]
    [InlineData("production")]
    public async Task Each_overlay_renders_silos_that_orleans_kubernetes_hosting_can_run(string overlay)
    {
        var manifests = await RenderAsync(overlay);
        var deployment = manifests.Single("Deployment", "orleansstream-silo");
        var pod = deployment.At("spec", "template");
        var container = Single(pod.At("spec", "containers"), "silo");

        // Orleans' Kubernetes hosting: the pod's name, namespace and address from the downward API, and the labels it
        // watches pods by, which must not be in the selector (the silo patches them on its own pod).
        var env = ((YamlSequenceNode)container.At("env")).Cast<YamlMappingNode>().ToDictionary(e => e.Text("name"));
        Assert.Equal("metadata.name", env["POD_NAME"].Text("valueFrom", "fieldRef", "fieldPath"));
        Assert.Equal("metadata.namespace", env["POD_NAMESPACE"].Text("valueFrom", "fieldRef", "fieldPath"));
        Assert.Equal("status.podIP", env["POD_IP"].Text("valueFrom", "fieldRef", "fieldPath"));
        Assert.Equal("metadata.labels['orleans/clusterId']", env["ORLEANSSTREAM_CLUSTERID"].Text("valueFrom", "fieldRef", "fieldPath"));
        Assert.Equal("metadata.labels['orleans/serviceId']", env["ORLEANSSTREAM_SERVICEID"].Text("valueFrom", "fieldRef", "fieldPath"));
        Assert.NotNull(pod.At("metadata", "labels").Find("orleans/clusterId"));
        Assert.NotNull(pod.At("metadata", "labels").Find("orleans/serviceId"));
        Assert.DoesNotContain(((YamlMappingNode)deployment.At("spec", "selector", "matchLabels")).Children.Keys, key => key.ToString().StartsWith("orleans/", StringComparison.Ordinal));
        Assert.Equal("postgres", env["ORLEANSSTREAM_CLUSTERING"].Text("value"));
        var secret = env["ORLEANSSTREAM_POSTGRES"].At("valueFrom", "secretKeyRef");

        // Exactly what the hosting does with pods, under the pod's own service account.
        string account = pod.Text("spec", "serviceAccountName");
        var binding = manifests.Single("RoleBinding", "orleansstream-silo");
        Assert.Equal(account, ((YamlSequenceNode)binding.At("subjects")).Cast<YamlMappingNode>().Single().Text("name"));
        var role = manifests.Single("Role", binding.Text("roleRef", "name"));
        var rule = ((YamlSequenceNode)role.At("rules")).Cast<YamlMappingNode>().Single();
        Assert.Equal(["pods"], Strings(rule.At("resources")));
        Assert.Equal(["get", "list", "patch", "watch"], Strings(rule.At("verbs")).Order());

        // Probes on the health endpoints the silo serves on ORLEANSSTREAM_HEALTHPORT; ports as the silo's settings.
        var ports = ((YamlSequenceNode)container.At("ports")).Cast<YamlMappingNode>().ToDictionary(p => p.Text("name"), p => int.Parse(p.Text("containerPort")));
        Assert.Equal(ports["health"], int.Parse(env["ORLEANSSTREAM_HEALTHPORT"].Text("value")));
        Assert.Equal(("/health/ready", "health"), (container.Text("readinessProbe", "httpGet", "path"), container.Text("readinessProbe", "httpGet", "port")));
        Assert.Equal(("/health/live", "health"), (container.Text("livenessProbe", "httpGet", "path"), container.Text("livenessProbe", "httpGet", "port")));
        Assert.Equal("/health/ready", container.Text("startupProbe", "httpGet", "path"));
        using var appsettings = JsonDocument.Parse(File.ReadAllText(Repository.Path("silo", "appsettings.json")), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip });
        var defaults = appsettings.RootElement.GetProperty("OrleansStream");
        Assert.Equal(defaults.GetProperty("SiloPort").GetInt32(), ports["silo"]);
        Assert.Equal(defaults.GetProperty("GatewayPort").GetInt32(), ports["gateway"]);
        Assert.Equal("gateway", manifests.Single("Service", "orleansstream-gateway").Text("spec", "ports", "0", "targetPort"));

        // A drain (DrainTimeout) fits in a stop (ShutdownTimeout), which fits the grace period; a rolling update adds a silo first.
        var shutdown = TimeSpan.Parse(defaults.GetProperty("ShutdownTimeout").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(new OrleansStreamOptions().DrainTimeout < shutdown);
        Assert.True(int.Parse(pod.Text("spec", "terminationGracePeriodSeconds")) > shutdown.TotalSeconds);
        Assert.Equal(("1", "0"), (deployment.Text("spec", "strategy", "rollingUpdate", "maxSurge"), deployment.Text("spec", "strategy", "rollingUpdate", "maxUnavailable")));
        Assert.Equal("true", container.Text("securityContext", "readOnlyRootFilesystem"));
        Assert.Equal("true", pod.Text("spec", "securityContext", "runAsNonRoot"));

        // The budget and the autoscaler are about these silos.
        Assert.Equal("1", manifests.Single("PodDisruptionBudget", "orleansstream-silo").Text("spec", "maxUnavailable"));
        Assert.Equal("orleansstream-silo", manifests.Single("HorizontalPodAutoscaler", "orleansstream-silo").Text("spec", "scaleTargetRef", "name"));
        Assert.Equal("connection-string", secret.Text("key"));
    }

    [Theory]
    [InlineData("dev")]
    [InlineData("production")]
    public async Task Every_object_of_an_overlay_is_valid_against_the_current_kubernetes_models(string overlay)
    {
        // Strict: an unknown field (a typo, or one of another API version) fails. This covers autoscaling/v2 and
        // policy/v1, which the v1.20 API server of the end-to-end tests does not serve.
        var objects = k8s.KubernetesYaml.LoadAllFromString(await RenderTextAsync(overlay), strict: true);
        var kinds = objects.Cast<k8s.IKubernetesObject>().Select(o => $"{o.ApiVersion}/{o.Kind}").ToList();
        Assert.Contains("autoscaling/v2/HorizontalPodAutoscaler", kinds);
        Assert.Contains("policy/v1/PodDisruptionBudget", kinds);
        Assert.Contains("apps/v1/Deployment", kinds);
        var hpa = objects.OfType<k8s.Models.V2HorizontalPodAutoscaler>().Single();
        Assert.Equal(70, hpa.Spec.Metrics.Single().Resource.Target.AverageUtilization);
        var budget = objects.OfType<k8s.Models.V1PodDisruptionBudget>().Single();
        Assert.Equal("orleansstream-silo", budget.Spec.Selector.MatchLabels["app.kubernetes.io/name"]);

        // What a misspelt field would do.
        Assert.ThrowsAny<Exception>(() => k8s.KubernetesYaml.LoadAllFromString("apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {name: x}\nspec: {maxUnavaliable: 1}\n", strict: true));
    }

    [Fact]
    public async Task The_dev_overlay_brings_its_own_postgres_and_the_secret_the_silos_read()
    {
        var manifests = await RenderAsync("dev");
        var postgres = manifests.Single("StatefulSet", "orleansstream-postgres");
        Assert.Equal("data", postgres.Text("spec", "volumeClaimTemplates", "0", "metadata", "name"));
        var secret = manifests.Single("Secret", "orleansstream-postgres");
        Assert.NotNull(secret.At("data").Find("connection-string"));
        Assert.All(manifests.Documents.Where(d => d.Find("metadata")?.Find("namespace") is not null), d => Assert.Equal("orleansstream-dev", d.Text("metadata", "namespace")));
    }

    [Fact]
    public async Task The_production_overlay_runs_three_silos_one_per_node_against_an_existing_database()
    {
        var manifests = await RenderAsync("production");
        var deployment = manifests.Single("Deployment", "orleansstream-silo");
        Assert.Equal("3", deployment.Text("spec", "replicas"));
        Assert.Equal("kubernetes.io/hostname", deployment.Text("spec", "template", "spec", "affinity", "podAntiAffinity", "requiredDuringSchedulingIgnoredDuringExecution", "0", "topologyKey"));
        Assert.Equal("3", manifests.Single("HorizontalPodAutoscaler", "orleansstream-silo").Text("spec", "minReplicas"));

        // The database and its Secret are the operator's: nothing here would overwrite them.
        Assert.DoesNotContain(manifests.Documents, d => d.Text("kind") is "StatefulSet" or "Secret");
    }

    private static async Task<RenderedObjects> RenderAsync(string overlay)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(await RenderTextAsync(overlay)));
        return new RenderedObjects(stream.Documents.Select(d => (YamlMappingNode)d.RootNode).ToList());
    }

    private static Task<string> RenderTextAsync(string overlay) => Manifests.RenderAsync($"overlays/{overlay}");

    private static YamlMappingNode Single(YamlNode sequence, string name)
        => ((YamlSequenceNode)sequence).Cast<YamlMappingNode>().Single(item => item.Text("name") == name);

    private static List<string> Strings(YamlNode sequence) => ((YamlSequenceNode)sequence).Select(item => item.ToString()).ToList();

    private sealed record RenderedObjects(IReadOnlyList<YamlMappingNode> Documents)
    {
        public YamlMappingNode Single(string kind, string name)
            => Documents.Single(d => d.Text("kind") == kind && d.Text("metadata", "name") == name);
    }
}

/// <summary>Walking rendered manifests: a path of mapping keys or sequence indices.</summary>
internal static class YamlPaths
{
    public static YamlNode At(this YamlNode node, params string[] path)
        => path.Aggregate(node, (current, step) => current.Find(step) ?? throw new KeyNotFoundException($"No '{step}' in the manifest at {string.Join(".", path)}."));

    public static string Text(this YamlNode node, params string[] path) => node.At(path).ToString();

    public static YamlNode? Find(this YamlNode node, string step) => node switch
    {
        YamlMappingNode mapping => mapping.Children.TryGetValue(new YamlScalarNode(step), out var child) ? child : null,
        YamlSequenceNode sequence when int.TryParse(step, out int index) && index < sequence.Children.Count => sequence.Children[index],
        _ => null,
    };
}
