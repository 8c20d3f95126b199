using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace OrleansStream.Silo;

/// <summary>
/// Where this silo listens and which cluster it joins, from the <c>OrleansStream</c> configuration
/// section. <c>Slots</c> and <c>ChannelTransport</c> in the same section bind to
/// <see cref="Runtime.Hosting.SlotOptions"/> and <see cref="Runtime.Hosting.OrleansStreamOptions"/>.
/// </summary>
public sealed class SiloSettings
{
    public const string SectionName = "OrleansStream";

    public string ClusterId { get; set; } = "orleansstream";

    public string ServiceId { get; set; } = "orleansstream";

    public int SiloPort { get; set; } = 11111;

    public int GatewayPort { get; set; } = 30000;

    /// <summary>The HTTP port of the health endpoints (<c>/health/live</c>, <c>/health/ready</c>) for Kubernetes probes; unset, none.</summary>
    public int? HealthPort { get; set; }

    /// <summary>The address the health endpoints listen on; unset, loopback for a silo that advertises loopback, else every address.</summary>
    public string? HealthAddress { get; set; }

    /// <summary>localhost (silos on one machine join the primary) or postgres (a membership table).</summary>
    public string Clustering { get; set; } = "localhost";

    /// <summary>sqlite (the file <see cref="StateDatabase"/>), postgres or memory (lost when the silo stops).</summary>
    public string Storage { get; set; } = "sqlite";

    /// <summary>memory or postgres; job grains keep supervising after a silo dies only with postgres.</summary>
    public string Reminders { get; set; } = "memory";

    /// <summary>The PostgreSQL connection string used by whichever of clustering, storage and reminders is postgres.</summary>
    public string? Postgres { get; set; }

    /// <summary>The SQLite file of sqlite storage; relative paths are relative to the working directory.</summary>
    public string StateDatabase { get; set; } = "orleansstream-state.db";

    /// <summary>The address other silos and clients reach this one at with postgres clustering; unset, loopback (one machine).</summary>
    public string? AdvertisedAddress { get; set; }

    /// <summary>"host:port" of the silo the others join; unset, this silo is the primary of its own cluster.</summary>
    public string? PrimarySiloEndpoint { get; set; }

    /// <summary>
    /// How long a graceful stop (SIGTERM) may take, the drain included, before the silo exits anyway (code 3): keep it
    /// under the pod's termination grace period and above <c>DrainTimeout</c>.
    /// </summary>
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(45);

    /// <summary>Orleans' Kubernetes hosting: pod-aware membership when the silo runs in a pod.</summary>
    public KubernetesSettings Kubernetes { get; set; } = new();

    /// <summary>
    /// The primary silo's endpoint. Development clustering wants an address, so a host name is
    /// looked up once here, at start.
    /// </summary>
    public async Task<IPEndPoint> ResolvePrimarySiloEndpointAsync(CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(PrimarySiloEndpoint))
        {
            return new IPEndPoint(IPAddress.Loopback, SiloPort);
        }

        if (IPEndPoint.TryParse(PrimarySiloEndpoint, out var endpoint) && endpoint.Port != 0)
        {
            return endpoint;
        }

        int colon = PrimarySiloEndpoint.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(PrimarySiloEndpoint.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out int port) || port is < 1 or > IPEndPoint.MaxPort)
        {
            throw new OrleansConfigurationException($"OrleansStream: {nameof(PrimarySiloEndpoint)} must be \"host:port\", was \"{PrimarySiloEndpoint}\".");
        }

        var addresses = await Dns.GetHostAddressesAsync(PrimarySiloEndpoint[..colon], cancellationToken);
        var address = addresses.FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork) ?? addresses.FirstOrDefault()
            ?? throw new OrleansConfigurationException($"OrleansStream: {nameof(PrimarySiloEndpoint)} host \"{PrimarySiloEndpoint[..colon]}\" has no address.");
        return new IPEndPoint(address, port);
    }
}
