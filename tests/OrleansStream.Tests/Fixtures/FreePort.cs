using System.Net;
using System.Net.Sockets;

namespace OrleansStream.Tests.Fixtures;

/// <summary>A loopback port nobody listens on right now. Another process may take it before the server binds, so callers retry.</summary>
internal static class FreePort
{
    public static int Next()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
