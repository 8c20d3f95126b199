using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OrleansStream.Contracts.Jobs;

namespace OrleansStream.Runtime.Hosting;

/// <summary>
/// One or more silos hosted in this process on loopback ports: the embedded cluster of the samples
/// and benchmarks. Nothing to install; the silos find each other through the first one.
/// </summary>
public sealed class LocalCluster : IAsyncDisposable
{
    private readonly List<IHost> _silos;

    private LocalCluster(List<IHost> silos) => _silos = silos;

    public int SiloCount => _silos.Count;

    /// <summary>The grain factory of the first silo, for submitting and following jobs.</summary>
    public IGrainFactory GrainFactory => _silos[0].Services.GetRequiredService<IGrainFactory>();

    public StreamJobClient Jobs => new(GrainFactory);

    public IServiceProvider Services(int silo) => _silos[silo].Services;

    /// <summary>
    /// Starts <paramref name="silos"/> silos with OrleansStream and its push channel transport.
    /// <paramref name="configure"/> runs on each silo builder last: set slots, options, or add
    /// <c>AddMemoryChannelStreams()</c> (not added by default: its pulling agents cost CPU when idle).
    /// Checkpoints and job state go to the SQLite file <paramref name="stateDatabase"/>, which outlives
    /// the process (a restarted job can start from its savepoints and retained checkpoints); without
    /// one they are kept in memory and lost with the process.
    /// </summary>
    public static async Task<LocalCluster> StartAsync(
        int silos = 1,
        Action<ISiloBuilder>? configure = null,
        LogLevel logLevel = LogLevel.Warning,
        string? stateDatabase = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(silos, 1);
        var clusterId = $"orleansstream-local-{Guid.NewGuid():N}";
        var siloPorts = FreePorts(silos);
        var gatewayPorts = FreePorts(silos);
        var primary = new IPEndPoint(IPAddress.Loopback, siloPorts[0]);
        var hosts = new List<IHost>();
        try
        {
            for (int i = 0; i < silos; i++)
            {
                int index = i;
                var host = Host.CreateDefaultBuilder()
                    .ConfigureLogging(logging => logging.SetMinimumLevel(logLevel))
                    .UseOrleans(silo =>
                    {
                        silo.UseLocalhostClustering(siloPorts[index], gatewayPorts[index], primary, serviceId: "orleansstream", clusterId: clusterId);
                        silo.AddOrleansStream();
                        if (stateDatabase is null)
                        {
                            silo.AddOrleansStreamMemoryStorage();
                        }
                        else
                        {
                            silo.AddOrleansStreamSqliteStorage(stateDatabase);
                        }

                        silo.UseInMemoryReminderService();
                        configure?.Invoke(silo);
                    })
                    .Build();
                await host.StartAsync(cancellationToken);
                hosts.Add(host);
            }
        }
        catch
        {
            await new LocalCluster(hosts).DisposeAsync();
            throw;
        }

        return new LocalCluster(hosts);
    }

    public async ValueTask DisposeAsync()
    {
        for (int i = _silos.Count - 1; i >= 0; i--)
        {
            try
            {
                await _silos[i].StopAsync(TimeSpan.FromSeconds(10));
            }
            finally
            {
                _silos[i].Dispose();
            }
        }

        _silos.Clear();
    }

    private static int[] FreePorts(int count)
    {
        var listeners = Enumerable.Range(0, count).Select(_ => new TcpListener(IPAddress.Loopback, 0)).ToList();
        listeners.ForEach(l => l.Start());
        var ports = listeners.Select(l => ((IPEndPoint)l.LocalEndpoint).Port).ToArray();
        listeners.ForEach(l => l.Stop());
        return ports;
    }
}
