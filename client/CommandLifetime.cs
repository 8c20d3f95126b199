using Microsoft.Extensions.Hosting;

namespace OrleansStream.Cli;

/// <summary>
/// The lifetime of a client host that lives for one command. The console lifetime would take
/// Ctrl+C and SIGTERM for itself; System.CommandLine already turns them into the command's
/// cancellation token, which is what the command waits on.
/// </summary>
internal sealed class CommandLifetime : IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
