using System.CommandLine;
using OrleansStream.Cli;
using OrleansStream.Runtime.Jobs;

var gatewayPort = new Option<int>("--gateway-port") { Description = "Gateway port of a silo of the cluster.", DefaultValueFactory = _ => 30000, Recursive = true };
var clusterId = new Option<string>("--cluster-id") { Description = "Cluster id the silos were started with.", DefaultValueFactory = _ => "orleansstream", Recursive = true };
var serviceId = new Option<string>("--service-id") { Description = "Service id the silos were started with.", DefaultValueFactory = _ => "orleansstream", Recursive = true };

// Silos on several machines have no one gateway port to name; their membership table lists them all.
var postgres = new Option<string?>("--postgres") { Description = "PostgreSQL connection string of the cluster's membership table (silos started with Clustering=postgres); replaces --gateway-port.", Recursive = true };
var root = new RootCommand("Submits, follows and cancels OrleansStream jobs through a silo's gateway.") { gatewayPort, clusterId, serviceId, postgres };

var jobType = new Argument<string>("job-type") { Description = "Assembly-qualified name of the job class, deployed with the silos, e.g. \"OrleansStream.Samples.IpCount.IpCountJob, IpCount\"." };
var parallelism = new Option<int>("--parallelism") { Description = "Parallelism of the job.", DefaultValueFactory = _ => 1 };
parallelism.Validators.Add(result =>
{
    if (result.GetValueOrDefault<int>() < 1)
    {
        result.AddError("--parallelism must be at least 1.");
    }
});
var parameters = new Option<Dictionary<string, string>>("--param")
{
    Description = "A job parameter (repeatable).",
    HelpName = "key=value",
    Arity = ArgumentArity.ZeroOrMore,
    AllowMultipleArgumentsPerToken = false,
    CustomParser = JobParameterParser.Parse,
    DefaultValueFactory = _ => new(),
};
var name = new Option<string?>("--name") { Description = "Job name, also the start of its id (default: the job class name)." };
var wait = new Option<bool>("--wait") { Description = "Wait for the job to end and print its final status; exit 1 unless it finished." };
var jobId = new Argument<string>("job-id") { Description = "Id of the job, as printed by submit." };
var json = new Option<bool>("--json") { Description = "Print the status as JSON." };
var fromSavepoint = new Option<string?>("--from-savepoint") { Description = "Start from this savepoint or retained checkpoint, as printed by 'savepoint' or 'status': <job-id>/<checkpoint-id>." };
var allowNonRestored = new Option<bool>("--allow-non-restored-state") { Description = "With --from-savepoint: drop state that belongs to no operator of this job instead of refusing to start." };
var stop = new Option<bool>("--stop") { Description = "Stop the job once the savepoint is complete and its sinks have committed." };
var savepointTimeout = new Option<int>("--timeout") { Description = "Seconds to wait for the savepoint.", DefaultValueFactory = _ => 120 };

var submitCommand = new Command("submit", "Submit a job; prints its id.") { jobType, parallelism, parameters, name, wait, fromSavepoint, allowNonRestored };
submitCommand.SetAction((result, cancellationToken) => ClusterConnection.RunAsync(GatewayOf(result), async (jobs, cancellationToken) =>
{
    var type = result.GetRequiredValue(jobType);
    var submission = new JobSubmission
    {
        JobType = type,
        JobName = result.GetValue(name) ?? DefaultJobName(type),
        Parallelism = result.GetValue(parallelism),
        Parameters = result.GetRequiredValue(parameters),
        FromSavepoint = result.GetValue(fromSavepoint),
        AllowNonRestoredState = result.GetValue(allowNonRestored),
    };
    var status = await jobs.SubmitAsync(submission);
    Console.WriteLine(status.JobId);
    if (!result.GetValue(wait))
    {
        return ExitCodes.Success;
    }

    try
    {
        status = await jobs.WaitForCompletionAsync(status.JobId, cancellationToken);
    }
    catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
    {
        // Ctrl+C stops the waiting, not the job: it runs in the cluster, not in this process.
        Console.Error.WriteLine($"Stopped waiting; job {status.JobId} is still {status.State}. Stop it with: {root.Name} cancel {status.JobId}");
        return ExitCodes.Interrupted;
    }

    JobStatusWriter.WriteText(Console.Out, status);
    return status.State == JobState.Finished ? ExitCodes.Success : ExitCodes.JobNotFinished;
}, cancellationToken));

var statusCommand = new Command("status", "Print a job's state and, per vertex, its subtasks, slots and record counts.") { jobId, json };
statusCommand.SetAction((result, cancellationToken) => ClusterConnection.RunAsync(GatewayOf(result), async (jobs, _) =>
{
    var status = await jobs.GetStatusAsync(result.GetRequiredValue(jobId));
    if (IsUnknown(status))
    {
        Console.Error.WriteLine($"No job '{status.JobId}' on this cluster.");
        return ExitCodes.JobNotFinished;
    }

    if (result.GetValue(json))
    {
        JobStatusWriter.WriteJson(Console.Out, status);
    }
    else
    {
        JobStatusWriter.WriteText(Console.Out, status);
    }

    return ExitCodes.Success;
}, cancellationToken));

var cancelCommand = new Command("cancel", "Cancel a running job.") { jobId };
cancelCommand.SetAction((result, cancellationToken) => ClusterConnection.RunAsync(GatewayOf(result), async (jobs, _) =>
{
    var id = result.GetRequiredValue(jobId);
    await jobs.CancelAsync(id);
    var status = await jobs.GetStatusAsync(id);
    if (IsUnknown(status))
    {
        Console.Error.WriteLine($"No job '{id}' on this cluster.");
        return ExitCodes.JobNotFinished;
    }

    Console.WriteLine($"Job {id} is {status.State}.");
    return ExitCodes.Success;
}, cancellationToken));

var savepointCommand = new Command("savepoint", "Take a savepoint of a running job and print its reference for submit --from-savepoint.") { jobId, stop, savepointTimeout };
savepointCommand.SetAction((result, cancellationToken) => ClusterConnection.RunAsync(GatewayOf(result), async (jobs, cancellationToken) =>
{
    var id = result.GetRequiredValue(jobId);
    var timeout = TimeSpan.FromSeconds(result.GetValue(savepointTimeout));
    try
    {
        var pointer = result.GetValue(stop)
            ? await jobs.StopWithSavepointAsync(id, timeout, cancellationToken)
            : await jobs.TriggerSavepointAsync(id, timeout, cancellationToken);
        Console.WriteLine(pointer);
        return ExitCodes.Success;
    }
    catch (Exception ex) when (ex is SavepointFailedException or InvalidOperationException)
    {
        Console.Error.WriteLine(ex.Message);
        return ExitCodes.JobNotFinished;
    }
}, cancellationToken));

root.Subcommands.Add(submitCommand);
root.Subcommands.Add(savepointCommand);
root.Subcommands.Add(statusCommand);
root.Subcommands.Add(cancelCommand);

// System.CommandLine 2.0.0 handles Ctrl+C and SIGTERM only when given a timeout (the default is
// none): they cancel the command's token, and the command gets this long to finish.
var invocation = new InvocationConfiguration { ProcessTerminationTimeout = TimeSpan.FromSeconds(5) };
return await root.Parse(args).InvokeAsync(invocation);

Gateway GatewayOf(ParseResult result)
    => new(result.GetValue(gatewayPort), result.GetRequiredValue(clusterId), result.GetRequiredValue(serviceId), result.GetValue(postgres));

// "Namespace.IpCountJob, IpCount" is named "IpCountJob".
static string DefaultJobName(string jobType)
{
    var typeName = jobType.Split(',', 2)[0].Trim();
    return typeName[(typeName.LastIndexOf('.') + 1)..];
}

// A job grain that was never submitted to answers with its defaults: created, no vertices.
static bool IsUnknown(JobStatus status) => status.State == JobState.Created && status.Vertices.Count == 0;
