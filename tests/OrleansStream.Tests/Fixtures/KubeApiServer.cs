using System.Diagnostics;
using System.Net;
using System.Text;

namespace OrleansStream.Tests.Fixtures;

/// <summary>
/// A real Kubernetes API server for the tests: etcd (Debian's etcd-server) and kube-apiserver v1.20.2 (built once by
/// tests/tools/build-kube-apiserver.sh, its path in <see cref="BinaryVariable"/>) on free loopback ports, with a
/// self-signed serving certificate, a service-account key, RBAC, and static tokens: an administrator and the silos'
/// service account (<see cref="SiloServiceAccount"/> in <see cref="Namespace"/>), so that the manifests' RoleBinding
/// is what lets the silos in. No controller manager, scheduler or kubelet runs: pods never start, and the tests make
/// them look alive by patching their status. Stopped (the API server before etcd) and deleted on dispose, or by a
/// <see cref="ServerWatchdog"/> when the test host dies first.
/// </summary>
public sealed class KubeApiServer : IAsyncLifetime
{
    /// <summary>The environment variable test.sh sets to the kube-apiserver binary.</summary>
    public const string BinaryVariable = "KUBE_APISERVER";

    public const string Namespace = "orleansstream-test";

    public const string SiloServiceAccount = "orleansstream-silo";

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);
    private readonly StringBuilder _output = new();
    private Process? _etcd;
    private Process? _apiServer;
    private string? _directory;

    /// <summary>A kubeconfig of the administrator (system:masters), for kubectl.</summary>
    public string AdminKubeConfig => Path.Combine(Directory, "admin.kubeconfig");

    /// <summary>A kubeconfig of the silos' service account, which only the manifests' RBAC grants anything.</summary>
    public string SiloKubeConfig => Path.Combine(Directory, "silo.kubeconfig");

    /// <summary>A kubeconfig of the namespace's default service account, which no Role grants anything.</summary>
    public string StrangerKubeConfig => Path.Combine(Directory, "stranger.kubeconfig");

    private string Directory => _directory ?? throw new InvalidOperationException("The API server is not running.");

    public async Task InitializeAsync()
    {
        var binary = Environment.GetEnvironmentVariable(BinaryVariable);
        if (string.IsNullOrEmpty(binary) || !File.Exists(binary))
        {
            throw new InvalidOperationException($"{BinaryVariable} does not name a kube-apiserver binary (\"{binary}\"): run the tests with ./test.sh --end-to-end, which builds one with tests/tools/build-kube-apiserver.sh.");
        }

        var etcd = ExecutableLocator.Find("etcd") ?? throw new InvalidOperationException("etcd is not installed: apt-get install -y etcd-server (test.sh --end-to-end does this).");
        _directory = System.IO.Directory.CreateTempSubdirectory("kube-apiserver-").FullName;
        await ProcessRunner.RunAsync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1",
            "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", Path.Combine(Directory, "serving.key"), "-out", Path.Combine(Directory, "serving.crt")], TimeSpan.FromSeconds(60));
        await ProcessRunner.RunAsync("openssl", ["genrsa", "-out", Path.Combine(Directory, "service-account.key"), "2048"], TimeSpan.FromSeconds(60));
        await File.WriteAllLinesAsync(Path.Combine(Directory, "tokens.csv"),
        [
            "admin-token,admin,1,\"system:masters\"",
            $"silo-token,system:serviceaccount:{Namespace}:{SiloServiceAccount},2,\"system:serviceaccounts,system:serviceaccounts:{Namespace}\"",
            $"stranger-token,system:serviceaccount:{Namespace}:default,3,\"system:serviceaccounts,system:serviceaccounts:{Namespace}\"",
        ]);

        int etcdPort = FreePort.Next(), etcdPeerPort = FreePort.Next(), port = FreePort.Next();
        _etcd = Start(etcd,
        [
            "--name", "test", "--data-dir", Path.Combine(Directory, "etcd"),
            "--listen-client-urls", $"http://127.0.0.1:{etcdPort}", "--advertise-client-urls", $"http://127.0.0.1:{etcdPort}",
            "--listen-peer-urls", $"http://127.0.0.1:{etcdPeerPort}", "--initial-advertise-peer-urls", $"http://127.0.0.1:{etcdPeerPort}",
            "--initial-cluster", $"test=http://127.0.0.1:{etcdPeerPort}",
        ]);
        _apiServer = Start(binary,
        [
            $"--etcd-servers=http://127.0.0.1:{etcdPort}", "--bind-address=127.0.0.1", $"--secure-port={port}", "--insecure-port=0",
            $"--tls-cert-file={Path.Combine(Directory, "serving.crt")}", $"--tls-private-key-file={Path.Combine(Directory, "serving.key")}",
            $"--service-account-key-file={Path.Combine(Directory, "service-account.key")}",
            $"--service-account-signing-key-file={Path.Combine(Directory, "service-account.key")}",
            "--service-account-issuer=https://kubernetes.default.svc", "--api-audiences=https://kubernetes.default.svc",
            "--authorization-mode=RBAC", $"--token-auth-file={Path.Combine(Directory, "tokens.csv")}",
            "--service-cluster-ip-range=10.0.0.0/24",
        ]);

        await WriteKubeConfigAsync(AdminKubeConfig, port, "admin-token");
        await WriteKubeConfigAsync(SiloKubeConfig, port, "silo-token");
        await WriteKubeConfigAsync(StrangerKubeConfig, port, "stranger-token");
        await WaitUntilReadyAsync(port);

        // No controller manager makes them: the test namespace and the default service account pods need.
        await KubectlAsync("create", "namespace", Namespace);
        await KubectlAsync("-n", Namespace, "create", "serviceaccount", "default");
    }

    /// <summary>Runs kubectl as the administrator; returns its output, or fails with it.</summary>
    public Task<string> KubectlAsync(params string[] arguments)
        => ProcessRunner.RunAsync("kubectl", ["--kubeconfig", AdminKubeConfig, .. arguments], TimeSpan.FromSeconds(60));

    /// <summary>Runs kubectl as the administrator with <paramref name="input"/> as the file <c>-</c> stands for (manifests for <c>-f -</c>).</summary>
    public async Task<string> KubectlWithInputAsync(string input, params string[] arguments)
    {
        string file = Path.Combine(Directory, $"input-{Guid.NewGuid():N}.yaml");
        await File.WriteAllTextAsync(file, input);
        return await KubectlAsync([.. arguments.Select(a => a == "-" ? file : a)]);
    }

    /// <summary>The base's ServiceAccount, Role and RoleBinding, in <see cref="Namespace"/>: what lets the silos' service account in.</summary>
    public async Task ApplySiloRbacAsync()
    {
        var rendered = await Manifests.RenderAsync("base");
        await KubectlWithInputAsync(Manifests.Only(rendered, ["ServiceAccount", "Role", "RoleBinding"]), "-n", Namespace, "apply", "-f", "-");
    }

    /// <summary>
    /// A silo's pod in <see cref="Namespace"/> as the Deployment would make it (the labels Orleans' Kubernetes hosting
    /// watches, for cluster <paramref name="clusterId"/>), on a node, and made to look alive: no kubelet runs here.
    /// </summary>
    public async Task CreateRunningPodAsync(string name, string clusterId)
    {
        await KubectlWithInputAsync($$"""
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
              serviceAccountName: {{SiloServiceAccount}}
              automountServiceAccountToken: false
              containers:
                - name: silo
                  image: localhost/orleansstream-silo:0.1
            """, "-n", Namespace, "apply", "-f", "-");
        await KubectlAsync("-n", Namespace, "patch", "pod", name, "--subresource=status", "--type=merge", "-p",
            """{"status":{"phase":"Running","podIP":"127.0.0.1","conditions":[{"type":"Ready","status":"True"}]}}""");
    }

    /// <summary>Deletes a pod at once, as a node that is gone or a forced delete does.</summary>
    public Task DeletePodAsync(string name) => KubectlAsync("-n", Namespace, "delete", "pod", name, "--grace-period=0", "--force");

    /// <summary>The watches on pods the API server holds open (its own metric: Orleans logs nothing when its agents watch).</summary>
    public async Task<int> PodWatchesAsync()
    {
        var metrics = await KubectlAsync("get", "--raw", "/metrics");
        return metrics.Split('\n')
            .Where(line => line.StartsWith("apiserver_longrunning_gauge{", StringComparison.Ordinal) && line.Contains("resource=\"pods\"", StringComparison.Ordinal) && line.Contains("verb=\"WATCH\"", StringComparison.Ordinal))
            .Sum(line => (int)double.Parse(line[(line.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture));
    }

    public async Task DisposeAsync()
    {
        // The API server first: stopped after etcd, it would spin on its lost storage.
        foreach (var process in new[] { _apiServer, _etcd })
        {
            if (process is { HasExited: false })
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
            }

            process?.Dispose();
        }

        if (_directory is not null)
        {
            System.IO.Directory.Delete(_directory, recursive: true);
        }
    }

    private Process Start(string fileName, IEnumerable<string> arguments)
    {
        var start = new ProcessStartInfo(fileName) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        arguments.ToList().ForEach(start.ArgumentList.Add);
        var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {fileName}.");
        ServerWatchdog.Start(stillRunning: $"kill -0 {process.Id}", cleanup: $"kill -9 {process.Id}");
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private async Task WaitUntilReadyAsync(int port)
    {
        using var handler = new HttpClientHandler { ServerCertificateCustomValidationCallback = HttpClientHandler.DangerousAcceptAnyServerCertificateValidator };
        using var http = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(5) };
        http.DefaultRequestHeaders.Authorization = new("Bearer", "admin-token");
        var deadline = DateTime.UtcNow + StartTimeout;
        string last = "no answer";
        while (DateTime.UtcNow < deadline)
        {
            if (_apiServer!.HasExited || _etcd!.HasExited)
            {
                throw new InvalidOperationException($"The API server or etcd exited at start:\n{Output()}");
            }

            try
            {
                var ready = await http.GetAsync($"https://127.0.0.1:{port}/readyz");
                last = $"{ready.StatusCode}: {await ready.Content.ReadAsStringAsync()}";
                if (ready.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                last = ex.Message;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(250));
        }

        throw new TimeoutException($"The API server was not ready within {StartTimeout.TotalSeconds} s ({last}):\n{Output()}");
    }

    private Task WriteKubeConfigAsync(string path, int port, string token)
        => File.WriteAllTextAsync(path, $"""
            apiVersion: v1
            kind: Config
            clusters:
            - name: test
              cluster:
                server: https://127.0.0.1:{port}
                certificate-authority: {Path.Combine(Directory, "serving.crt")}
            users:
            - name: user
              user:
                token: {token}
            contexts:
            - name: test
              context:
                cluster: test
                user: user
                namespace: {Namespace}
            current-context: test
            """);

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (_output)
            {
                _output.AppendLine(line);
                if (_output.Length > 64_000)
                {
                    _output.Remove(0, _output.Length - 32_000);
                }
            }
        }
    }

    private string Output()
    {
        lock (_output)
        {
            return _output.ToString();
        }
    }
}

/// <summary>The repository's Kubernetes manifests rendered with the machine's kubectl, and picking objects out of them by kind.</summary>
internal static class Manifests
{
    /// <summary>What <c>kubectl kustomize deploy/kubernetes/{kustomization}</c> prints: YAML documents separated by <c>---</c>.</summary>
    public static Task<string> RenderAsync(string kustomization)
        => ProcessRunner.RunAsync("kubectl", ["kustomize", Repository.Path(["deploy", "kubernetes", .. kustomization.Split('/')])], TimeSpan.FromSeconds(60));

    public static string Only(string manifests, IReadOnlyCollection<string> kinds) => string.Join("\n---\n", Documents(manifests).Where(d => kinds.Contains(KindOf(d))));

    public static string Without(string manifests, IReadOnlyCollection<string> kinds) => string.Join("\n---\n", Documents(manifests).Where(d => !kinds.Contains(KindOf(d))));

    private static IEnumerable<string> Documents(string manifests) => manifests.Split("\n---\n").Where(d => !string.IsNullOrWhiteSpace(d));

    private static string KindOf(string document)
        => document.Split('\n').First(line => line.StartsWith("kind: ", StringComparison.Ordinal))["kind: ".Length..].Trim();
}
