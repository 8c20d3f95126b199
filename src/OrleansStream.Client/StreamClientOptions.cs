using System.Net;

namespace OrleansStream.Client;

/// <summary>How a <see cref="StreamClient"/> finds the cluster's gateways, and which cluster it is.</summary>
public sealed record StreamClientOptions
{
    /// <summary>The gateway port of a silo on this machine (<c>Clustering=localhost</c>), when neither <see cref="Postgres"/> nor <see cref="Gateways"/> is set.</summary>
    public int GatewayPort { get; init; } = 30000;

    /// <summary>The PostgreSQL connection string of the cluster's membership table (<c>Clustering=postgres</c>): every active silo is a gateway.</summary>
    public string? Postgres { get; init; }

    /// <summary>A fixed list of gateways (silo gateway endpoints), for clusters whose membership the client cannot read.</summary>
    public IReadOnlyList<IPEndPoint> Gateways { get; init; } = Array.Empty<IPEndPoint>();

    public string ClusterId { get; init; } = "orleansstream";

    public string ServiceId { get; init; } = "orleansstream";

    /// <summary>
    /// How long to keep trying to reach a gateway before <see cref="ClusterUnavailableException"/>;
    /// zero fails at the first refusal.
    /// </summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.Zero;

    /// <summary>How often the client rereads the list of gateways (Orleans' default: a minute); shorter drops a dead silo's gateway sooner.</summary>
    public TimeSpan? GatewayListRefreshPeriod { get; init; }

    /// <summary>The token of this client's principal, on a cluster that checks callers (<c>OrleansStream:Security</c>).</summary>
    public string? Token { get; init; }

    /// <summary>TLS to the gateways: the authority that signed the silos' certificates, and this client's certificate for mutual TLS.</summary>
    public ClientTlsOptions? Tls { get; init; }

    public static StreamClientOptions Localhost(int gatewayPort = 30000) => new() { GatewayPort = gatewayPort };

    public static StreamClientOptions ForPostgres(string connectionString) => new() { Postgres = connectionString };

    public static StreamClientOptions ForGateways(params IPEndPoint[] gateways) => new() { Gateways = gateways };

    /// <summary>Where the client looked for the cluster, for messages (never the connection string, which may hold a password).</summary>
    public string Description => Postgres is not null
        ? $"the gateways in the PostgreSQL membership table of cluster '{ClusterId}'"
        : Gateways.Count > 0 ? $"gateways {string.Join(", ", Gateways)}" : $"gateway port {GatewayPort} on this machine";
}
