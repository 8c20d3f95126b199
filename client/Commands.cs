using System.CommandLine;
using OrleansStream.Client;
using OrleansStream.Contracts.Jobs;

namespace OrleansStream.Cli;

/// <summary>The subcommands of the orleansstream command.</summary>
internal static class Commands
{
    private static readonly Argument<string> JobId = new("job-id") { Description = "Id of the job, as printed by submit and list." };
    private static readonly Option<bool> Json = new("--json") { Description = "Print JSON for scripts instead of text." };

    public static IEnumerable<Command> All(CommandRunner runner)
    {
        yield return SubmitCommand.Create(runner);
        yield return List(runner);
        yield return Status(runner);
        yield return Cancel(runner);
        yield return Savepoint(runner);
        yield return Stop(runner);
        yield return RescaleCommand.Create(runner, JobId, Json);
        yield return Cluster(runner);
    }

    private static Command List(CommandRunner runner)
    {
        var command = new Command("list", "List the cluster's jobs, running and recently ended.") { Json };
        command.SetAction((result, cancellationToken) => runner.RunAsync(result, async (client, cancellationToken) =>
        {
            var jobs = await client.ListJobsAsync(cancellationToken);
            if (result.GetValue(Json))
            {
                JsonOutput.Write(Console.Out, jobs);
            }
            else
            {
                OverviewWriter.WriteJobs(Console.Out, jobs);
            }

            return ExitCodes.Success;
        }, cancellationToken));
        return command;
    }

    private static Command Status(CommandRunner runner)
    {
        var watch = new Option<bool>("--watch", "-w") { Description = "Refresh the status until the job ends or Ctrl+C." };
        var interval = new Option<double>("--interval") { Description = "Seconds between refreshes with --watch.", DefaultValueFactory = _ => 1 };
        var command = new Command("status", "Print a job's state, checkpoints and, per vertex, its slots, record counts, rates and watermark.") { JobId, Json, watch, interval };
        command.SetAction((result, cancellationToken) => runner.RunAsync(result, async (client, cancellationToken) =>
        {
            var id = result.GetRequiredValue(JobId);
            var period = TimeSpan.FromSeconds(Math.Max(0.1, result.GetValue(interval)));
            var view = new StatusView(result.GetValue(Json));
            while (true)
            {
                JobStatus status;
                try
                {
                    status = await client.GetStatusAsync(id, cancellationToken);
                }
                catch (StreamClientException ex) when (result.GetValue(watch) && ex is ClusterUnavailableException or { InnerException: TimeoutException })
                {
                    // A silo that just died is still in the membership until it is declared dead: calls that go to
                    // it fail or time out meanwhile, and the job is restarting anyway. Watching goes on.
                    Console.Error.WriteLine($"{DateTimeOffset.Now:HH:mm:ss} {ex.Message} (retrying)");
                    await Task.Delay(period, cancellationToken);
                    continue;
                }

                view.Show(status, redraw: result.GetValue(watch));
                if (!result.GetValue(watch) || status.IsTerminal)
                {
                    return ExitCodes.Success;
                }

                await Task.Delay(period, cancellationToken);
            }
        }, cancellationToken));
        return command;
    }

    private static Command Cancel(CommandRunner runner)
    {
        var command = new Command("cancel", "Cancel a job without a savepoint.") { JobId };
        command.SetAction((result, cancellationToken) => runner.RunAsync(result, async (client, cancellationToken) =>
        {
            var status = await client.CancelAsync(result.GetRequiredValue(JobId), cancellationToken);
            Console.WriteLine($"Job {status.JobId} is {status.State}.");
            return ExitCodes.Success;
        }, cancellationToken));
        return command;
    }

    private static Command Savepoint(CommandRunner runner)
    {
        var stop = new Option<bool>("--stop") { Description = "Stop the job once the savepoint is complete and its sinks have committed (the same as 'stop --savepoint')." };
        var timeout = SavepointTimeout();
        var command = new Command("savepoint", "Take a savepoint of a running job and print its reference for submit --from-savepoint.") { JobId, stop, timeout };
        command.SetAction((result, cancellationToken) => runner.RunAsync(result,
            (client, cancellationToken) => SavepointAsync(client, result.GetRequiredValue(JobId), result.GetValue(stop), TimeSpan.FromSeconds(result.GetValue(timeout)), cancellationToken),
            cancellationToken));
        return command;
    }

    private static Command Stop(CommandRunner runner)
    {
        var savepoint = new Option<bool>("--savepoint") { Description = "Take a savepoint first, wait for the sinks to commit up to it, then stop (Flink's stop-with-savepoint); prints its reference. Without it the job is canceled." };
        var timeout = SavepointTimeout();
        var command = new Command("stop", "Stop a running job, with --savepoint so that it can be started again from where it stopped.") { JobId, savepoint, timeout };
        command.SetAction((result, cancellationToken) => runner.RunAsync(result, async (client, cancellationToken) =>
        {
            var id = result.GetRequiredValue(JobId);
            if (result.GetValue(savepoint))
            {
                return await SavepointAsync(client, id, stop: true, TimeSpan.FromSeconds(result.GetValue(timeout)), cancellationToken);
            }

            var status = await client.CancelAsync(id, cancellationToken);
            Console.WriteLine($"Job {status.JobId} is {status.State}.");
            return ExitCodes.Success;
        }, cancellationToken));
        return command;
    }

    private static Command Cluster(CommandRunner runner)
    {
        var command = new Command("cluster", "List the silos with their task slots, how many running jobs use, and how many are free.") { Json };
        command.SetAction((result, cancellationToken) => runner.RunAsync(result, async (client, cancellationToken) =>
        {
            var cluster = await client.GetClusterAsync(cancellationToken);
            if (result.GetValue(Json))
            {
                JsonOutput.Write(Console.Out, cluster);
            }
            else
            {
                OverviewWriter.WriteCluster(Console.Out, cluster);
            }

            return ExitCodes.Success;
        }, cancellationToken));
        return command;
    }

    private static Option<int> SavepointTimeout()
    {
        var timeout = WholeNumber.WithDefault("--timeout", 120, min: 1);
        timeout.Description = "Seconds to wait for the savepoint.";
        return timeout;
    }

    private static async Task<int> SavepointAsync(IStreamClient client, string jobId, bool stop, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var progress = ProgressLine.Start($"{(stop ? "Stopping job with a savepoint" : "Taking a savepoint of")} {jobId}");
        var pointer = stop
            ? await client.StopWithSavepointAsync(jobId, timeout, cancellationToken)
            : await client.TriggerSavepointAsync(jobId, timeout, cancellationToken);
        progress.Clear();
        Console.WriteLine(pointer);
        return ExitCodes.Success;
    }
}
