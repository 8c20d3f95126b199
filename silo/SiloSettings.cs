using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace OrleansStream.Silo;

/// <summary>
/// Where this silo listens and which cluster it joins, from the <c>OrleansStream</c> configuration
/// section. <c>Slots</c> and <c>StreamProvider</c> in the same section bind to
/// <see cref="Runtime.Hosting.SlotOptions"/> and <see cref="Runtime.Hosting.OrleansStreamOptions"/>.
/// </summary>
public sealed class SiloSettings
{
    public const string SectionName = "OrleansStream";

    public string ClusterId { get; set; } = "orleansstream";

    public string ServiceId { get; set; } = "orleansstream";

    public int SiloPort { get; set; } = 11111;

    public int GatewayPort { get; set; } = 30000;

    /// <summary>"host:port" of the silo the others join; unset, this silo is the primary of its own cluster.</summary>
    public string? PrimarySiloEndpoint { get; set; }

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
