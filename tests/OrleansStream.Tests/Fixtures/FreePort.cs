using System.Net;
using System.Net.Sockets;

namespace OrleansStream.Tests.Fixtures;

/// <summary>
/// A loopback port nobody listens on right now, and one this test process has not handed out before: the
/// kernel may offer the same free port to consecutive asks (a silo process got one port for its silo
/// listener and its health endpoint both, and died). Another process may still take it before the server
/// binds, so callers retry.
/// </summary>
internal static class FreePort
{
    private static readonly HashSet<int> HandedOut = [];

    public static int Next()
    {
        while (true)
        {
            int port;
            using (var listener = new TcpListener(IPAddress.Loopback, 0))
            {
                listener.Start();
                port = ((IPEndPoint)listener.LocalEndpoint).Port;
            }

            lock (HandedOut)
            {
                if (HandedOut.Add(port))
                {
                    return port;
                }
            }
        }
    }
}
