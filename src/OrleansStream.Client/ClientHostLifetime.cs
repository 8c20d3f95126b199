using Microsoft.Extensions.Hosting;

namespace OrleansStream.Client;

/// <summary>
/// The lifetime of the client's own host. The console lifetime would take Ctrl+C and SIGTERM for
/// itself; they belong to the application that uses the client.
/// </summary>
internal sealed class ClientHostLifetime : IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
