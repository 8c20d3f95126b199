using System.Security.Cryptography;
using System.Text;
using OrleansStream.Samples.IpCount;
using OrleansStream.Tests.Fixtures;
using Xunit.Abstractions;

namespace OrleansStream.Tests.Processes;

/// <summary>
/// Two silo processes that speak TLS to each other and to clients, require client certificates of the cluster's
/// authority, and check every client's token: the orleansstream command gets in only with the authority's certificate,
/// and then does what its principal's roles allow. Certificates are made by the test (<see cref="TestCertificates"/>).
/// </summary>
[Collection(PostgresCollection.Name)]
[Trait(Suites.Trait, Suites.EndToEnd)]
public sealed class SecuredClusterCliTests(PostgresServer postgres, ITestOutputHelper output) : IAsyncLifetime
{
    private const string AliceToken = "alice-4f1c-token", ReaderToken = "reader-9a2e-token";

    private readonly TestCertificates _certificates = TestCertificates.Create(Path.Combine(Path.GetTempPath(), $"tls-{Guid.NewGuid():N}"));
    private SiloProcessCluster _cluster = null!;

    public async Task InitializeAsync()
    {
        var settings = new Dictionary<string, string>
        {
            ["Tls:Certificate"] = _certificates.Silo.Certificate,
            ["Tls:Key"] = _certificates.Silo.Key,
            ["Tls:Authority"] = _certificates.Authority,
            ["Tls:RequireClientCertificate"] = "true",
            ["Security:Principals:0:Name"] = "alice",
            ["Security:Principals:0:TokenSha256"] = Sha256(AliceToken),
            ["Security:Principals:0:Roles"] = "read,submit,operate",
            ["Security:Principals:1:Name"] = "reader",
            ["Security:Principals:1:TokenSha256"] = Sha256(ReaderToken),
            ["Security:Principals:1:Roles"] = "read",
        };
        _cluster = await SiloProcessCluster.StartAsync(postgres, "secured", silos: 2, slotsPerSilo: 1,
            setup: (_, _) => Task.FromResult(new SiloSetup(settings, new Dictionary<string, string>())));
    }

    public Task DisposeAsync()
    {
        _cluster.Dispose();
        Directory.Delete(_certificates.Directory, recursive: true);
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Only_clients_with_a_certificate_of_the_authority_connect_and_each_principal_does_what_its_roles_allow()
    {
        await _cluster.WithOutputOnFailureAsync(output, async () =>
        {
            await _cluster.WaitUntilActiveAsync();
            string[] tls = ["--tls-ca", _certificates.Authority, "--tls-cert", _certificates.Client.Certificate, "--tls-key", _certificates.Client.Key];

            // Without TLS, without a client certificate, or with one of another authority: no connection (exit 3).
            var plain = await RunAsync([], AliceToken, "list");
            var noCertificate = await RunAsync(["--tls-ca", _certificates.Authority], AliceToken, "list");
            var stranger = await RunAsync(["--tls-ca", _certificates.Authority, "--tls-cert", _certificates.Stranger.Certificate, "--tls-key", _certificates.Stranger.Key], AliceToken, "list");
            Assert.True(plain.ExitCode == 3, plain.ToString());
            Assert.True(noCertificate.ExitCode == 3, noCertificate.ToString());
            Assert.True(stranger.ExitCode == 3, stranger.ToString());
            Assert.Contains("check the gateway, the ids and TLS", stranger.Error);

            // Connected, but without a token or with a role it lacks: exit 77, naming what is missing.
            var noToken = await RunAsync(tls, token: null, "list");
            Assert.True(noToken.ExitCode == 77, noToken.ToString());
            Assert.Equal("Access denied: this cluster needs a token (--token, or ORLEANSSTREAM_TOKEN).", noToken.Error.Trim());
            string input = Path.Combine(_cluster.Directory, "words.txt"), topology = Path.Combine(_cluster.Directory, "copy.yaml");
            File.WriteAllLines(input, Enumerable.Range(0, 100).Select(i => $"w{i}"));
            File.WriteAllText(topology, """
                name: copy
                parallelism: 2
                steps:
                  - { type: source, connector: file, path: "${input}" }
                  - { type: split, fields: { word: string } }
                  - { type: sink, connector: files, path: "${output}" }
                """);
            string[] submit = ["submit", "--topology", topology, "--param", $"input={input}", "--param", $"output={Path.Combine(_cluster.Directory, "copy")}", "--wait"];
            var readerSubmits = await RunAsync(tls, ReaderToken, submit);
            Assert.True(readerSubmits.ExitCode == 77, readerSubmits.ToString());
            Assert.Equal("Access denied: 'reader' may not submit jobs (its roles: read).", readerSubmits.Error.Trim());

            // Alice's job runs on both silos (one slot each), over TLS between them, and is hers alone to see.
            var aliceSubmits = await RunAsync(tls, AliceToken, submit);
            Assert.True(aliceSubmits.ExitCode == 0, aliceSubmits.ToString());
            Assert.Equal(Enumerable.Range(0, 100).Select(i => $"w{i}").Order(StringComparer.Ordinal), CommittedOutput.Lines(Path.Combine(_cluster.Directory, "copy")));
            string job = aliceSubmits.Output.Split('\n')[0].Trim();
            var readerStatus = await RunAsync(tls, ReaderToken, "status", job);
            var readerList = await RunAsync(tls, ReaderToken, "list");
            var aliceList = await RunAsync(tls, AliceToken, "list");
            var readerCluster = await RunAsync(tls, ReaderToken, "cluster");
            Assert.True(readerCluster.ExitCode == 0, readerCluster.ToString());
            Assert.Contains("2 silos", readerCluster.Output);
            Assert.True(readerStatus.ExitCode == 77, readerStatus.ToString());
            Assert.True(readerList.ExitCode == 0, readerList.ToString());
            Assert.DoesNotContain(job, readerList.Output);
            Assert.Contains(job, aliceList.Output);
        });
    }

    private Task<CliResult> RunAsync(string[] tls, string? token, params string[] command)
        => CliProcess.RunAsync([.. command, .. _cluster.CliOptions, .. tls],
            environment: token is null ? null : new Dictionary<string, string> { ["ORLEANSSTREAM_TOKEN"] = token });

    private static string Sha256(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));
}
