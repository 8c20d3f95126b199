using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;
using OrleansStream.Runtime.Hosting;

namespace OrleansStream.Benchmarks;

/// <summary>
/// One silo of the recovery benchmark in a process of its own, so that killing the process is a
/// crash: nothing is written to the membership table and no connection is closed politely. (A silo of
/// an in-process TestCluster "killed" with KillSiloAsync still marks itself as stopping in the table,
/// so the others learn of it at once.) The silo runs until its parent closes its standard input.
/// </summary>
internal static class RecoverySiloProcess
{
    public const string ReadyLine = "silo ready ";
    public const int Slots = 2;

    public static async Task RunAsync(string connectionString, string clusterId, MembershipProfile profile)
    {
        int siloPort = FreePort();
        int gatewayPort = FreePort();
        var host = Host.CreateDefaultBuilder()
            .ConfigureLogging(logging => logging.SetMinimumLevel(LogLevel.Error))
            .UseOrleans(silo =>
            {
                silo.Configure<ClusterOptions>(options =>
                {
                    options.ClusterId = clusterId;
                    options.ServiceId = "orleansstream-bench";
                });
                silo.ConfigureEndpoints(IPAddress.Loopback, siloPort, gatewayPort);
                MembershipProfiles.Apply(silo, profile);
                silo.UseTaskSlots(Slots);
                silo.AddOrleansStreamPostgresStorage(connectionString);
                silo.AddOrleansStreamPostgresReminders(connectionString);
                silo.AddOrleansStreamPostgresClustering(connectionString);
            })
            .Build();
        await host.StartAsync();
        Console.WriteLine(ReadyLine + host.Services.GetRequiredService<ILocalSiloDetails>().SiloAddress);

        // The parent closes standard input when it is done with this silo, or when it dies.
        await Console.In.ReadToEndAsync();
        Environment.Exit(0);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
