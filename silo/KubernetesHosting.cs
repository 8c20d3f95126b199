using System.Net;
using k8s;
using k8s.Models;
using Orleans.Hosting.Kubernetes;

namespace OrleansStream.Silo;

/// <summary>
/// Orleans' Kubernetes hosting as the settings and the pod's environment decide it, checked at start: the silo
/// advertises its pod's address (<c>POD_IP</c>, from the downward API), names itself after its pod, and watches the
/// cluster's pods, so that a silo whose pod is deleted is declared dead at once.
/// </summary>
public sealed record KubernetesHosting(string? KubeConfig, bool DeleteDefunctSiloPods, IPAddress PodAddress, string Namespace)
{
    /// <summary>What the hosting does with the cluster's pods: reads and watches them, and labels its own.</summary>
    private static readonly string[] PodVerbs = ["get", "list", "watch", "patch"];

    private static readonly TimeSpan PermissionCheckTimeout = TimeSpan.FromSeconds(15);

    private const string Setting = $"{SiloSettings.SectionName}:{nameof(SiloSettings.Kubernetes)}";

    /// <summary>Set inside every pod by the kubelet: the in-cluster API server.</summary>
    public const string ServiceHostVariable = "KUBERNETES_SERVICE_HOST";

    /// <summary>
    /// Kubernetes hosting for <paramref name="settings"/> in <paramref name="environment"/> (environment variables by
    /// name), or null when it is off. Throws <see cref="OrleansConfigurationException"/> naming what is wrong.
    /// </summary>
    public static KubernetesHosting? From(SiloSettings settings, ClusteringKind clustering, Func<string, string?> environment)
    {
        var kubernetes = settings.Kubernetes;
        var mode = kubernetes.Hosting?.Trim().ToLowerInvariant();
        if (mode is not ("auto" or "on" or "off"))
        {
            throw new OrleansConfigurationException($"{Setting}:{nameof(KubernetesSettings.Hosting)} must be auto | on | off, was \"{kubernetes.Hosting}\".");
        }

        string? Variable(string name) => environment(name) is { } value && !string.IsNullOrWhiteSpace(value) ? value.Trim() : null;
        var missing = new[] { KubernetesHostingOptions.PodNameEnvironmentVariable, KubernetesHostingOptions.PodNamespaceEnvironmentVariable }.Where(name => Variable(name) is null).ToList();
        string? kubeConfig = string.IsNullOrWhiteSpace(kubernetes.KubeConfig) ? null : kubernetes.KubeConfig;
        bool apiServer = kubeConfig is not null || Variable(ServiceHostVariable) is not null;
        if (mode == "off" || (mode == "auto" && (missing.Count > 0 || !apiServer || clustering != ClusteringKind.Postgres)))
        {
            return null;
        }

        if (missing.Count > 0)
        {
            throw new OrleansConfigurationException($"{Setting}:{nameof(KubernetesSettings.Hosting)} is on but {string.Join(" and ", missing)} {(missing.Count == 1 ? "is" : "are")} not set (the pod's metadata.name and metadata.namespace, from the downward API).");
        }

        if (!apiServer)
        {
            throw new OrleansConfigurationException($"{Setting}:{nameof(KubernetesSettings.Hosting)} is on but there is no API server to reach: {ServiceHostVariable} is not set (outside a pod) and {Setting}:{nameof(KubernetesSettings.KubeConfig)} names no kubeconfig.");
        }

        if (kubeConfig is not null && !File.Exists(kubeConfig))
        {
            throw new OrleansConfigurationException($"{Setting}:{nameof(KubernetesSettings.KubeConfig)} names \"{kubeConfig}\", which does not exist.");
        }

        if (clustering != ClusteringKind.Postgres)
        {
            throw new OrleansConfigurationException($"{Setting}:{nameof(KubernetesSettings.Hosting)} is on but {SiloSettings.SectionName}:{nameof(SiloSettings.Clustering)} is \"{settings.Clustering}\": pod-aware membership needs the shared membership table (postgres).");
        }

        // Orleans' Kubernetes hosting takes these from the environment over the silo's own settings: they must agree.
        foreach (var (variable, value, setting) in new[]
        {
            (KubernetesHostingOptions.ClusterIdEnvironmentVariable, settings.ClusterId, nameof(SiloSettings.ClusterId)),
            (KubernetesHostingOptions.ServiceIdEnvironmentVariable, settings.ServiceId, nameof(SiloSettings.ServiceId)),
        })
        {
            if (Variable(variable) is { } fromEnvironment && fromEnvironment != value)
            {
                throw new OrleansConfigurationException($"{variable} is \"{fromEnvironment}\" but {SiloSettings.SectionName}:{setting} is \"{value}\": set one, or both alike.");
            }
        }

        // Orleans' own endpoint configuration picks the host's address before the hosting's POD_IP is read, so the
        // pod's address is advertised here (unless set explicitly).
        IPAddress? podAddress = null;
        if (string.IsNullOrWhiteSpace(settings.AdvertisedAddress)
            && (Variable(KubernetesHostingOptions.PodIPEnvironmentVariable) is not { } podIp || !IPAddress.TryParse(podIp, out podAddress)))
        {
            throw new OrleansConfigurationException($"{Setting}:{nameof(KubernetesSettings.Hosting)} is on but {KubernetesHostingOptions.PodIPEnvironmentVariable} is not an IP address (\"{Variable(KubernetesHostingOptions.PodIPEnvironmentVariable)}\"): set it from the pod's status.podIP (downward API), or set {SiloSettings.SectionName}:{nameof(SiloSettings.AdvertisedAddress)}.");
        }

        return new KubernetesHosting(kubeConfig, kubernetes.DeleteDefunctSiloPods, podAddress ?? IPAddress.Parse(settings.AdvertisedAddress!),
            Variable(KubernetesHostingOptions.PodNamespaceEnvironmentVariable)!);
    }

    /// <summary>
    /// Asks the API server whether the silo may do with pods what the hosting does (a self subject access review per
    /// verb, which every authenticated account may make). Without it a missing verb makes Orleans' agent retry
    /// "insufficient permissions" for ever while the silo never becomes ready. Throws
    /// <see cref="OrleansConfigurationException"/> naming the verbs missing, or why the API server could not be asked.
    /// </summary>
    public async Task CheckPermissionsAsync(CancellationToken cancellationToken)
    {
        string[] verbs = DeleteDefunctSiloPods ? [.. PodVerbs, "delete"] : PodVerbs;
        var denied = new List<string>();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(PermissionCheckTimeout);
        try
        {
            using var client = new k8s.Kubernetes(ClientConfiguration());
            foreach (string verb in verbs)
            {
                var review = new V1SelfSubjectAccessReview
                {
                    Spec = new V1SelfSubjectAccessReviewSpec { ResourceAttributes = new V1ResourceAttributes { NamespaceProperty = Namespace, Resource = "pods", Verb = verb } },
                };
                if ((await client.AuthorizationV1.CreateSelfSubjectAccessReviewAsync(review, cancellationToken: timeout.Token)).Status?.Allowed != true)
                {
                    denied.Add(verb);
                }
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            string reason = timeout.IsCancellationRequested ? $"no answer within {PermissionCheckTimeout.TotalSeconds:0} s" : ex.GetBaseException().Message;
            throw new OrleansConfigurationException($"{Setting}:{nameof(KubernetesSettings.Hosting)} is on but the API server could not be asked what the silo may do with pods: {reason}");
        }

        if (denied.Count > 0)
        {
            throw new OrleansConfigurationException(
                $"{Setting}:{nameof(KubernetesSettings.Hosting)} is on but the silo's account may not {string.Join(", ", denied)} pods in namespace \"{Namespace}\": " +
                $"its Role needs {string.Join(", ", verbs)} on pods (deploy/kubernetes/base/role.yaml).");
        }
    }

    private KubernetesClientConfiguration ClientConfiguration()
        => KubeConfig is { } path ? KubernetesClientConfiguration.BuildConfigFromConfigFile(path) : KubernetesClientConfiguration.InClusterConfig();

    /// <summary>Adds Orleans' Kubernetes hosting to <paramref name="silo"/>.</summary>
    public void AddTo(ISiloBuilder silo)
        => silo.UseKubernetesHosting(options => options.Configure(hosting =>
        {
            hosting.DeleteDefunctSiloPods = DeleteDefunctSiloPods;
            if (KubeConfig is not null)
            {
                hosting.GetClientConfiguration = ClientConfiguration;
            }
        }));
}
