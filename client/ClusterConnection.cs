using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;
using Orleans.Runtime.Messaging;
using OrleansStream.Runtime.Hosting;
using OrleansStream.Runtime.Jobs;
using OrleansStream.Runtime.Placement;

namespace OrleansStream.Cli;

/// <summary>
/// Runs one command against the cluster through an Orleans client host that lives as long as the
/// command, and turns the ways that can fail into messages and exit codes.
/// </summary>
internal static class ClusterConnection
{
    public static async Task<int> RunAsync(Gateway gateway, Func<StreamJobClient, CancellationToken, Task<int>> command, CancellationToken cancellationToken)
    {
        using var host = Host.CreateDefaultBuilder()
            // Not the working directory: a silo's appsettings.json there must not configure the client.
            .UseContentRoot(AppContext.BaseDirectory)
            // Standard output is for results; the client's own complaints go to standard error.
            .ConfigureLogging(logging => logging
                .ClearProviders()
                .AddConsole(console => console.LogToStandardErrorThreshold = LogLevel.Trace)
                .SetMinimumLevel(LogLevel.Error)
                // A failed start is reported below, in one line.
                .AddFilter("Microsoft.Extensions.Hosting", LogLevel.None))
            .ConfigureServices(services => services.AddSingleton<IHostLifetime, CommandLifetime>())
            .UseOrleansClient(client =>
            {
                if (gateway.Postgres is null)
                {
                    client.UseLocalhostClustering(gateway.Port, gateway.ServiceId, gateway.ClusterId);
                }
                else
                {
                    client.AddOrleansStreamPostgresClustering(gateway.Postgres);
                    client.Configure<ClusterOptions>(options =>
                    {
                        options.ClusterId = gateway.ClusterId;
                        options.ServiceId = gateway.ServiceId;
                    });
                }

                // A command should fail fast when no silo answers, not wait for one to come up.
                client.UseConnectionRetryFilter((_, _) => Task.FromResult(false));
            })
            .Build();

        try
        {
            await host.StartAsync(cancellationToken);
        }
        catch (Exception ex) when (IsConnectionFailure(ex))
        {
            Console.Error.WriteLine($"No OrleansStream cluster reachable at {gateway.Description}: {ex.GetBaseException().Message} (cluster id {gateway.ClusterId}, service id {gateway.ServiceId})");
            return ExitCodes.NoCluster;
        }

        try
        {
            return await command(new StreamJobClient(host.Services.GetRequiredService<IClusterClient>()), cancellationToken);
        }
        catch (Exception ex) when (ex is JobSubmissionException or InsufficientSlotsException)
        {
            Console.Error.WriteLine(ex.Message);
            return ExitCodes.Refused;
        }
        catch (Exception ex) when (IsConnectionFailure(ex))
        {
            Console.Error.WriteLine($"Lost the OrleansStream cluster at {gateway.Description}: {ex.GetBaseException().Message}");
            return ExitCodes.NoCluster;
        }
        finally
        {
            await host.StopAsync(CancellationToken.None);
        }
    }

    private static bool IsConnectionFailure(Exception ex)
        => ex is ConnectionFailedException or SiloUnavailableException or OrleansMessageRejectionException or GatewayTooBusyException or TimeoutException or SocketException;
}
