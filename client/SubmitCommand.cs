using System.CommandLine;
using OrleansStream.Client;
using OrleansStream.Contracts.Checkpoints;
using OrleansStream.Contracts.Jobs;

namespace OrleansStream.Cli;

/// <summary>
/// <c>submit</c>: a job class deployed with the silos or in an uploaded assembly, or a topology file; prints the job's id,
/// and with <c>--wait</c> follows it to its end.
/// </summary>
internal static class SubmitCommand
{
    public static Command Create(CommandRunner runner)
    {
        var jobType = new Argument<string?>("job-type")
        {
            Description = "The job class: assembly-qualified when deployed with the silos, e.g. \"OrleansStream.Samples.IpCount.IpCountJob, IpCount\"; its full name with --assembly. Not with --topology.",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var topology = new Option<FileInfo?>("--topology", "-t") { Description = "A topology file (YAML or JSON) that defines the job; see docs/topology.md." };
        var assembly = new Option<FileInfo?>("--assembly", "-a") { Description = "A job assembly (.dll) to upload with the job: the silos load it for this job only, no redeploy; see docs/jobs.md." };
        var parallelism = WholeNumber.Optional("--parallelism", min: 1, aliases: "-p");
        parallelism.Description = "Default parallelism of the job's operators (a topology's own default otherwise, else 1).";
        var adaptive = WholeNumber.Optional("--adaptive", min: 1);
        adaptive.Description = "Reactive mode: run at as many subtasks as the free task slots allow, up to this, and follow them as silos come and go (instead of --parallelism).";
        adaptive.HelpName = "max";
        var parameters = new Option<Dictionary<string, string>>("--param")
        {
            Description = "A job parameter (repeatable); topologies read them as ${key}.",
            HelpName = "key=value",
            Arity = ArgumentArity.ZeroOrMore,
            AllowMultipleArgumentsPerToken = false,
            CustomParser = JobParameterParser.Parse,
            DefaultValueFactory = _ => new(),
        };
        var name = new Option<string?>("--name") { Description = "Job name, also the start of its id (default: the job class or topology file name)." };
        var wait = new Option<bool>("--wait") { Description = "Wait for the job to end and print its final status; exit 1 unless it finished." };
        var fromSavepoint = new Option<string?>("--from-savepoint") { Description = "Start from this savepoint or retained checkpoint, as printed by 'savepoint', 'stop --savepoint' or 'status': <job-id>/<checkpoint-id>." };
        fromSavepoint.Validators.Add(result =>
        {
            try
            {
                if (result.GetValueOrDefault<string?>() is { } pointer)
                {
                    SnapshotPointer.Parse(pointer);
                }
            }
            catch (FormatException ex)
            {
                result.AddError(ex.Message);
            }
        });
        var allowNonRestored = new Option<bool>("--allow-non-restored-state") { Description = "With --from-savepoint: drop state that belongs to no operator of this job instead of refusing to start." };

        var append = new Option<bool>("--append") { Description = "Start even where the job's file sinks hold committed output of an earlier run, adding to it (refused otherwise)." };

        var command = new Command("submit", "Submit a job; prints its id.") { jobType, topology, assembly, parallelism, adaptive, parameters, name, wait, fromSavepoint, allowNonRestored, append };
        command.Validators.Add(result =>
        {
            // Which options were given, not their values: a value that does not convert ('--parallelism abc') is the parser's error to report.
            if (result.GetResult(parallelism) is not null && result.GetResult(adaptive) is not null)
            {
                result.AddError("Give --parallelism or --adaptive, not both.");
            }

            bool hasType = result.GetResult(jobType) is not null, hasTopology = result.GetResult(topology) is not null, hasAssembly = result.GetResult(assembly) is not null;
            if (hasTopology && (hasType || hasAssembly))
            {
                result.AddError("--topology defines the whole job: give no job type or --assembly with it.");
            }
            else if (!hasTopology && !hasType)
            {
                result.AddError(hasAssembly ? "Give the full name of the job class in the --assembly." : "Give the job type to run, or --topology <file>.");
            }
        });
        command.SetAction(async (result, cancellationToken) =>
        {
            JobSubmission submission;
            try
            {
                submission = Read(result.GetValue(jobType), result.GetValue(topology), result.GetValue(name)) with
                {
                    Parallelism = result.GetValue(parallelism) ?? result.GetValue(adaptive) ?? 0,
                    AdaptiveMaxParallelism = result.GetValue(adaptive),
                    Parameters = result.GetRequiredValue(parameters),
                    FromSavepoint = result.GetValue(fromSavepoint),
                    AllowNonRestoredState = result.GetValue(allowNonRestored),
                    Append = result.GetValue(append),
                };
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                return CommandRunner.Fail(ex.Message, ExitCodes.BadInput);
            }

            // The assembly is read and checked before connecting: a wrong file is the caller's to fix, and nothing is sent.
            var upload = result.GetValue(assembly);
            byte[]? assemblyBytes = null;
            if (upload is not null)
            {
                try
                {
                    assemblyBytes = await File.ReadAllBytesAsync(upload.FullName, cancellationToken);
                    StreamClient.CheckAssembly(upload.Name, assemblyBytes);
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidJobException)
                {
                    return CommandRunner.Fail(ex.Message, ExitCodes.BadInput);
                }
            }

            return await runner.RunAsync(result, async (client, cancellationToken) =>
            {
                if (upload is not null)
                {
                    var artifact = await client.UploadAssemblyAsync(upload.Name, assemblyBytes, cancellationToken);
                    submission = submission with { Artifact = artifact };
                }

                return await SubmitAsync(client, submission, result.GetValue(wait), cancellationToken);
            }, cancellationToken);
        });
        return command;
    }

    private static JobSubmission Read(string? jobType, FileInfo? topology, string? name)
    {
        if (topology is null)
        {
            return new JobSubmission { JobType = jobType, JobName = name };
        }

        if (!topology.Exists)
        {
            throw new FileNotFoundException($"Topology file '{topology.FullName}' does not exist.");
        }

        if (topology.Length > JobTopology.MaxFileBytes)
        {
            // Not read: no cluster takes a document that long.
            throw new IOException($"Topology file '{topology.FullName}' is {topology.Length:N0} bytes long; a topology is at most {JobTopology.MaxLength:N0} characters.");
        }

        return JobSubmission.ForTopology(File.ReadAllText(topology.FullName), topology.Name, jobName: name);
    }

    private static async Task<int> SubmitAsync(IStreamClient client, JobSubmission submission, bool wait, CancellationToken cancellationToken)
    {
        var status = await client.SubmitAsync(submission, cancellationToken: cancellationToken);
        Console.WriteLine(status.JobId);
        if (!wait)
        {
            return ExitCodes.Success;
        }

        using (var progress = ProgressLine.Start($"Job {status.JobId}: {status.State}"))
        {
            var seen = new Progress<JobStatus>(s => progress.Update(
                $"Job {s.JobId}: {s.State}, attempt {s.Attempt}, {s.Checkpoints.Completed} checkpoints, {s.Vertices.Sum(v => v.FinishedSubtasks)}/{s.Vertices.Sum(v => v.Parallelism)} subtasks finished"));
            status = await client.WaitForStateAsync(status.JobId, Array.Empty<JobState>(), seen, cancellationToken);
        }

        JobStatusWriter.WriteText(Console.Out, status);
        return status.State == JobState.Finished ? ExitCodes.Success : ExitCodes.JobNotFinished;
    }
}
