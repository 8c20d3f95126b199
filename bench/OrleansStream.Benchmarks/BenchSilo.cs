using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OrleansStream.Contracts.Jobs;
using OrleansStream.Runtime.Hosting;

namespace OrleansStream.Benchmarks;

/// <summary>
/// One silo in this process with the given checkpoint storage, like <see cref="LocalCluster"/> with
/// one silo (localhost clustering, in-memory reminders, the push channel transport), except that the
/// storage is chosen by the caller: LocalCluster offers SQLite or memory only.
/// </summary>
internal sealed class BenchSilo : IAsyncDisposable
{
    private readonly IHost _host;

    private BenchSilo(IHost host) => _host = host;

    public StreamJobClient Jobs => new(_host.Services.GetRequiredService<IGrainFactory>());

    public IServiceProvider Services => _host.Services;

    public static async Task<BenchSilo> StartAsync(CheckpointStorage storage, int slots)
    {
        int siloPort = FreePort();
        int gatewayPort = FreePort();
        var host = Host.CreateDefaultBuilder()
            .ConfigureLogging(logging => logging.SetMinimumLevel(LogLevel.Warning))
            .UseOrleans(silo =>
            {
                silo.UseLocalhostClustering(siloPort, gatewayPort, serviceId: "orleansstream", clusterId: $"bench-{Guid.NewGuid():N}");
                silo.AddOrleansStream();
                silo.UseTaskSlots(slots);
                storage.Add(silo);
                silo.UseInMemoryReminderService();
            })
            .Build();
        await host.StartAsync();
        return new BenchSilo(host);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await _host.StopAsync(TimeSpan.FromSeconds(10));
        }
        finally
        {
            _host.Dispose();
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
