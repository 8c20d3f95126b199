namespace OrleansStream.Silo;

/// <summary>
/// The <c>OrleansStream:Kubernetes</c> section: whether the silo uses Orleans' Kubernetes hosting (pod-aware
/// membership: a silo whose pod is deleted is declared dead at once, not after missed probes), and how it reaches
/// the API server. Environment: <c>ORLEANSSTREAM_KUBERNETES__HOSTING</c> and so on.
/// </summary>
public sealed class KubernetesSettings
{
    /// <summary>
    /// auto (on in a pod: <c>POD_NAME</c> and <c>POD_NAMESPACE</c> set, an API server to reach, and postgres
    /// clustering), on (refuses to start when any of that is missing), or off.
    /// </summary>
    public string Hosting { get; set; } = "auto";

    /// <summary>A kubeconfig file to reach the API server by; unset, the pod's service account (in-cluster).</summary>
    public string? KubeConfig { get; set; }

    /// <summary>Whether a silo deletes the pods of silos that membership declared dead (needs <c>delete</c> on pods).</summary>
    public bool DeleteDefunctSiloPods { get; set; }
}
