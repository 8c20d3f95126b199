using System.CommandLine;
using System.Net;
using OrleansStream.Client;

namespace OrleansStream.Cli;

/// <summary>The options every command takes to find the cluster.</summary>
internal sealed class ClientOptions
{
    public Option<int> GatewayPort { get; } = new("--gateway-port") { Description = "Gateway port of a silo on this machine.", DefaultValueFactory = _ => 30000, Recursive = true };

    public Option<string> ClusterId { get; } = new("--cluster-id") { Description = "Cluster id the silos were started with.", DefaultValueFactory = _ => "orleansstream", Recursive = true };

    public Option<string> ServiceId { get; } = new("--service-id") { Description = "Service id the silos were started with.", DefaultValueFactory = _ => "orleansstream", Recursive = true };

    // Silos on several machines have no one gateway port to name; their membership table lists them all.
    public Option<string?> Postgres { get; } = new("--postgres")
    {
        Description = "PostgreSQL connection string of the cluster's membership table (silos started with Clustering=postgres); replaces --gateway-port. Also read from ORLEANSSTREAM_POSTGRES.",
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("ORLEANSSTREAM_POSTGRES"),
        Recursive = true,
    };

    public Option<IPEndPoint[]> Gateways { get; } = new("--gateway")
    {
        Description = "A silo gateway as host:port (repeatable): a static list instead of --gateway-port or --postgres.",
        Arity = ArgumentArity.ZeroOrMore,
        Recursive = true,
        CustomParser = result => result.Tokens.Select(token => ParseEndPoint(token.Value, result)).OfType<IPEndPoint>().ToArray(),
    };

    public void AddTo(RootCommand root)
    {
        root.Options.Add(GatewayPort);
        root.Options.Add(ClusterId);
        root.Options.Add(ServiceId);
        root.Options.Add(Postgres);
        root.Options.Add(Gateways);
    }

    public StreamClientOptions Read(ParseResult result) => new()
    {
        GatewayPort = result.GetValue(GatewayPort),
        ClusterId = result.GetRequiredValue(ClusterId),
        ServiceId = result.GetRequiredValue(ServiceId),
        Postgres = string.IsNullOrEmpty(result.GetValue(Postgres)) ? null : result.GetValue(Postgres),
        Gateways = result.GetValue(Gateways) ?? Array.Empty<IPEndPoint>(),
        // A command that watches a job outlives silos: drop a dead one's gateway within seconds, not a minute.
        GatewayListRefreshPeriod = TimeSpan.FromSeconds(5),
    };

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
