using System.CommandLine;
using OrleansStream.Client;
using OrleansStream.Contracts.Jobs;
using OrleansStream.Contracts.Rescaling;

namespace OrleansStream.Cli;

/// <summary>
/// Runs one command against the cluster through a client that lives as long as the command, and
/// turns the ways that can fail into one line on standard error and an exit code.
/// </summary>
internal sealed class CommandRunner(ClientOptions options)
{
    public async Task<int> RunAsync(ParseResult result, Func<IStreamClient, CancellationToken, Task<int>> command, CancellationToken cancellationToken)
    {
        try
        {
            await using var client = await StreamClient.ConnectAsync(options.Read(result), cancellationToken);
            return await command(client, cancellationToken);
        }
        catch (ClusterUnavailableException ex)
        {
            return Fail(ex.Message, ExitCodes.NoCluster);
        }
        catch (NotAuthorizedException ex)
        {
            return Fail(ex.Message, ExitCodes.NotAuthorized);
        }
        catch (JobNotFoundException ex)
        {
            return Fail(ex.Message, ExitCodes.JobNotFound);
        }
        catch (InvalidJobException ex) when (ex.DefinitionFile is not null)
        {
            // The cluster read the submitted file and names the line at fault: the file is the caller's to fix.
            return Fail(ex.Message, ExitCodes.BadInput);
        }
        catch (Exception ex) when (ex is InvalidJobException or NotEnoughSlotsException or InvalidRescaleException)
        {
            return Fail(ex.Message, ExitCodes.Refused);
        }
        catch (Exception ex) when (ex is SavepointFailedException or RescaleFailedException)
        {
            return Fail(ex.Message, ExitCodes.JobNotFinished);
        }
        catch (StreamClientException ex)
        {
            return Fail(ex.Message, ExitCodes.TryAgain);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Ctrl+C stops this command, never the job: it runs in the cluster, not in this process.
            return Fail("Interrupted; the job, if any, goes on in the cluster.", ExitCodes.Interrupted);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return Fail(ex.Message, ExitCodes.BadInput);
        }
        catch (Exception ex)
        {
            return Fail($"Unexpected {ex.GetType().Name}: {ex.Message}", ExitCodes.Internal);
        }
    }

    public static int Fail(string message, int exitCode)
    {
        Console.Error.WriteLine(message);
        return exitCode;
    }
}
