using System.CommandLine;
using System.Net;
using OrleansStream.Client;

namespace OrleansStream.Cli;

/// <summary>The options every command takes to find the cluster.</summary>
internal sealed class ClientOptions
{
    public Option<int> GatewayPort { get; } = WholeNumber.WithDefault("--gateway-port", 30000, min: 1, max: IPEndPoint.MaxPort);

    public Option<string> ClusterId { get; } = new("--cluster-id") { Description = "Cluster id the silos were started with.", DefaultValueFactory = _ => "orleansstream", Recursive = true };

    public Option<string> ServiceId { get; } = new("--service-id") { Description = "Service id the silos were started with.", DefaultValueFactory = _ => "orleansstream", Recursive = true };

    // Silos on several machines have no one gateway port to name; their membership table lists them all.
    public Option<string?> Postgres { get; } = new("--postgres")
    {
        Description = "PostgreSQL connection string of the cluster's membership table (silos started with Clustering=postgres); replaces --gateway-port. Also read from ORLEANSSTREAM_POSTGRES.",
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("ORLEANSSTREAM_POSTGRES"),
        Recursive = true,
    };

    public Option<string?> Token { get; } = FromEnvironment("--token", "ORLEANSSTREAM_TOKEN",
        "The token of your principal, on a cluster that checks callers. Better from ORLEANSSTREAM_TOKEN: a command line is visible to other users of the machine.");

    public Option<string?> TlsAuthority { get; } = FromEnvironment("--tls-ca", "ORLEANSSTREAM_TLS_CA",
        "TLS to the gateways: PEM certificate of the authority that signed the silos' certificates.");

    public Option<string?> TlsCertificate { get; } = FromEnvironment("--tls-cert", "ORLEANSSTREAM_TLS_CERT",
        "With --tls-ca, for silos that require client certificates: this client's certificate (PEM with --tls-key, or PKCS#12).");

    public Option<string?> TlsKey { get; } = FromEnvironment("--tls-key", "ORLEANSSTREAM_TLS_KEY", "PEM private key of --tls-cert.");

    public Option<IPEndPoint[]> Gateways { get; } = new("--gateway")
    {
        Description = "A silo gateway as host:port (repeatable): a static list instead of --gateway-port or --postgres.",
        Arity = ArgumentArity.ZeroOrMore,
        Recursive = true,
        CustomParser = result => result.Tokens.Select(token => ParseEndPoint(token.Value, result)).OfType<IPEndPoint>().ToArray(),
    };

    public void AddTo(RootCommand root)
    {
        GatewayPort.Description = "Gateway port of a silo on this machine.";
        GatewayPort.Recursive = true;

        root.Options.Add(GatewayPort);
        root.Options.Add(ClusterId);
        root.Options.Add(ServiceId);
        root.Options.Add(Postgres);
        root.Options.Add(Gateways);
        root.Options.Add(Token);
        root.Options.Add(TlsAuthority);
        root.Options.Add(TlsCertificate);
        root.Options.Add(TlsKey);
    }

    /// <summary>Checks on every command that the ways to find the cluster it was given do not contradict each other.</summary>
    public void ValidateOn(Command command) => command.Validators.Add(result =>
    {
        if (result.GetResult(Postgres) is { Implicit: false } && result.GetResult(Gateways) is { Implicit: false })
        {
            result.AddError("Give --postgres or --gateway, not both.");
        }

        if (Given(result.GetValue(TlsAuthority)) is null && Given(result.GetValue(TlsCertificate)) is not null)
        {
            result.AddError("--tls-cert needs --tls-ca: the authority that signed the silos' certificates.");
        }
    });

    private static Option<string?> FromEnvironment(string name, string variable, string description) => new(name)
    {
        Description = $"{description} Also read from {variable}.",
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable(variable),
        Recursive = true,
    };

    private static string? Given(string? value) => string.IsNullOrEmpty(value) ? null : value;

    public StreamClientOptions Read(ParseResult result) => new()
    {
        GatewayPort = result.GetValue(GatewayPort),
        ClusterId = result.GetRequiredValue(ClusterId),
        ServiceId = result.GetRequiredValue(ServiceId),
        Postgres = ReadPostgres(result),
        Gateways = result.GetValue(Gateways) ?? Array.Empty<IPEndPoint>(),
        Token = Given(result.GetValue(Token)),
        Tls = Given(result.GetValue(TlsAuthority)) is { } authority ? new ClientTlsOptions(authority, Given(result.GetValue(TlsCertificate)), Given(result.GetValue(TlsKey))) : null,
        // A command that watches a job outlives silos: drop a dead one's gateway within seconds, not a minute.
        GatewayListRefreshPeriod = TimeSpan.FromSeconds(5),
    };

    /// <summary>
    /// The membership database to look in: <c>--postgres</c>, else ORLEANSSTREAM_POSTGRES unless the command line
    /// names a gateway: what a user types wins over what the environment happens to hold.
    /// </summary>
    private string? ReadPostgres(ParseResult result)
    {
        bool given = result.GetResult(Postgres) is { Implicit: false };
        bool gatewayGiven = result.GetResult(Gateways) is { Implicit: false } || result.GetResult(GatewayPort) is { Implicit: false };
        string? postgres = given || !gatewayGiven ? result.GetValue(Postgres) : null;
        return Given(postgres);
    }

    private static IPEndPoint? ParseEndPoint(string value, System.CommandLine.Parsing.ArgumentResult result)
    {
        int colon = value.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(value[(colon + 1)..], out int port) || port is < 1 or > IPEndPoint.MaxPort)
        {
            result.AddError($"--gateway '{value}' must be host:port.");
            return null;
        }

        var host = value[..colon];
        if (IPAddress.TryParse(host, out var address))
        {
            return new IPEndPoint(address, port);
        }

        try
        {
            var addresses = Dns.GetHostAddresses(host);
            var chosen = addresses.FirstOrDefault(a => a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork) ?? addresses.FirstOrDefault();
            if (chosen is not null)
            {
                return new IPEndPoint(chosen, port);
            }
        }
        catch (System.Net.Sockets.SocketException ex)
        {
            result.AddError($"--gateway '{value}': host '{host}' not found ({ex.Message}).");
            return null;
        }

        result.AddError($"--gateway '{value}': host '{host}' has no address.");
        return null;
    }
}
