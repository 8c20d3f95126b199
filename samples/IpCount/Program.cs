using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging;
using OrleansStream.Contracts.Jobs;
using OrleansStream.Runtime.Hosting;
using OrleansStream.Samples.IpCount;

var input = new Option<FileInfo?>("--input") { Description = "Log file (or directory, or glob) to read; without it a generator makes lines like the lesson's." };
var output = new Option<FileInfo?>("--output") { Description = "File to write window counts to (a directory with --exactly-once); without it they are printed. Rejected lines go to <output>.rejected." };
var parallelism = new Option<int>("--parallelism") { Description = "Parallelism of the job.", DefaultValueFactory = _ => 4 };
var silos = new Option<int>("--silos") { Description = "Silos to start in this process.", DefaultValueFactory = _ => 1 };
var window = new Option<double>("--window") { Description = "Window size in seconds.", DefaultValueFactory = _ => 5 };
var outOfOrderness = new Option<double>("--out-of-orderness") { Description = "How late (seconds) a line may arrive behind the newest one seen.", DefaultValueFactory = _ => 5 };
var sourceParallelism = new Option<int?>("--source-parallelism") { Description = "Parallelism of the source, parsing and watermarks; --parallelism by default. With 1, which lines are late depends on their order only." };
var rate = new Option<double?>("--rate") { Description = "Read at most this many lines per second per source subtask." };
var exactlyOnce = new Option<bool>("--exactly-once") { Description = "Checkpoints, allowed lateness with a late side output, and exactly-once output into the --output directory: counts/, late/, rejected/." };
var checkpointInterval = new Option<double>("--checkpoint-interval") { Description = "Seconds between checkpoints (with --exactly-once).", DefaultValueFactory = _ => 10 };
var allowedLateness = new Option<double>("--allowed-lateness") { Description = "Seconds a window is kept after it fired; a line this late updates it (with --exactly-once).", DefaultValueFactory = _ => 5 };
var state = new Option<FileInfo?>("--state") { Description = "SQLite file for checkpoints, savepoints and job state (with --exactly-once); <output>/state.db by default." };
var fromSavepoint = new Option<string?>("--from-savepoint") { Description = "Continue from this savepoint (<job>/<id>, printed when Ctrl+C stopped a run) in the --state file." };
var generatorStart = new Option<long?>("--generator-start") { Description = "Epoch milliseconds of the generator's first line; now by default (printed for --from-savepoint)." };

var root = new RootCommand("Counts visits per client IP in event-time windows over web-server log lines (HH:mm:ss <ip> or yyyy-MM-dd_HH:mm:ss <ip>).")
{
    input, output, parallelism, silos, window, outOfOrderness, sourceParallelism, rate,
    exactlyOnce, checkpointInterval, allowedLateness, state, fromSavepoint, generatorStart,
};

root.SetAction(async (result, cancellationToken) =>
{
    bool exact = result.GetValue(exactlyOnce);
    var inputFile = result.GetValue(input);
    var outputPath = result.GetValue(output)?.FullName;
    string? savepoint = result.GetValue(fromSavepoint);
    if (exact && outputPath is null)
    {
        Console.Error.WriteLine("--exactly-once needs --output <directory>: the committed counts, late lines and rejected lines go there.");
        return 2;
    }

    if (!exact && (savepoint is not null || result.GetValue(state) is not null))
    {
        Console.Error.WriteLine("--from-savepoint and --state apply to --exactly-once runs only.");
        return 2;
    }

    var parameters = new Dictionary<string, string>
    {
        ["window"] = Invariant(result.GetValue(window)),
        ["out-of-orderness"] = Invariant(result.GetValue(outOfOrderness)),
    };
    long generatorStartMillis = result.GetValue(generatorStart) ?? DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
    if (inputFile is not null)
    {
        parameters["input"] = inputFile.FullName;
    }
    else
    {
        parameters["generator.start"] = Invariant(generatorStartMillis);
        parameters["generator.realtime"] = "true";
    }

    if (outputPath is not null)
    {
        parameters["output"] = outputPath;
    }

    if (result.GetValue(sourceParallelism) is { } sources)
    {
        parameters["source-parallelism"] = Invariant(sources);
    }

    if (result.GetValue(rate) is { } linesPerSecond)
    {
        parameters["rate"] = Invariant(linesPerSecond);
    }

    string? stateDatabase = null;
    if (exact)
    {
        parameters["exactly-once"] = "true";
        parameters["checkpoint-interval"] = Invariant(result.GetValue(checkpointInterval));
        parameters["allowed-lateness"] = Invariant(result.GetValue(allowedLateness));
        Directory.CreateDirectory(outputPath!);
        if (savepoint is null && CommittedOutput.Exists(outputPath!))
        {
            Console.Error.WriteLine($"{outputPath} already holds the output of an earlier run. Use another directory, delete it, or continue a stopped run with --from-savepoint.");
            return 2;
        }

        stateDatabase = result.GetValue(state)?.FullName ?? Path.Combine(outputPath!, "state.db");
    }

    var stopwatch = Stopwatch.StartNew();
    // An embedded cluster offers as many slots as the job needs, even on a machine with fewer cores.
    int siloCount = result.GetValue(silos);
    int slotsPerSilo = Math.Max(Environment.ProcessorCount, (result.GetValue(parallelism) + siloCount - 1) / siloCount);
    await using var cluster = await LocalCluster.StartAsync(siloCount, silo => silo.UseTaskSlots(slotsPerSilo), LogLevel.Error, stateDatabase, cancellationToken);
    var submission = JobSubmission.For<IpCountJob>(result.GetValue(parallelism), parameters, "ip-count") with { FromSavepoint = savepoint };
    JobStatus status;
    try
    {
        status = await cluster.Jobs.SubmitAsync(submission);
    }
    catch (Exception ex) when (ex is JobSubmissionException or OrleansStream.Contracts.Cluster.InsufficientSlotsException)
    {
        Console.Error.WriteLine(ex.Message);
        return 2;
    }

    if (inputFile is null)
    {
        Console.Error.WriteLine(exact
            ? $"Job {status.JobId} is running on {cluster.SiloCount} silo(s); window counts are committed to {Path.Combine(outputPath!, IpCountOptions.CountsDirectory)} at every checkpoint. Ctrl+C stops it with a savepoint."
            : $"Job {status.JobId} is running on {cluster.SiloCount} silo(s); window counts appear as windows close. Ctrl+C stops it.");
    }

    try
    {
        status = await cluster.Jobs.WaitForCompletionAsync(status.JobId, cancellationToken);
    }
    catch (OperationCanceledException)
    {
        if (!exact)
        {
            await cluster.Jobs.CancelAsync(status.JobId);
            return 0;
        }

        return await StopWithSavepointAsync(cluster.Jobs, status.JobId, inputFile is null ? $" --generator-start {generatorStartMillis}" : "");
    }

    if (status.State != JobState.Finished)
    {
        Console.Error.WriteLine($"Job {status.JobId} {status.State}: {status.Failure}");
        return 1;
    }

    Console.Error.WriteLine(exact
        ? string.Create(CultureInfo.InvariantCulture,
            $"{Committed(IpCountOptions.CountsDirectory)} window results, {Committed(IpCountOptions.LateDirectory)} late, {Committed(IpCountOptions.RejectedDirectory)} rejected committed in {outputPath}; {status.Checkpoints.Completed} checkpoints, {status.Checkpoints.Restarts} restarts, {stopwatch.Elapsed.TotalSeconds:F1} s")
        : string.Create(CultureInfo.InvariantCulture,
            $"{status.RecordsOf(IpCountOptions.SourceName)} records, {status.RecordsOf(IpCountOptions.OutputSinkName)} windows, {status.RecordsOf(IpCountOptions.RejectedSinkName)} rejected, {stopwatch.Elapsed.TotalSeconds:F1} s"));
    return 0;

    int Committed(string sink) => CommittedOutput.Lines(Path.Combine(outputPath!, sink)).Count;
});

// System.CommandLine 2.0.0 turns Ctrl+C and SIGTERM into cancellation only when given a timeout; a
// stop with a savepoint needs a checkpoint and the sinks' commits within it.
return await root.Parse(args).InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = TimeSpan.FromSeconds(30) });

static string Invariant(IFormattable value) => value.ToString(null, CultureInfo.InvariantCulture);

static async Task<int> StopWithSavepointAsync(StreamJobClient jobs, string jobId, string generatorOption)
{
    try
    {
        string pointer = await jobs.StopWithSavepointAsync(jobId, TimeSpan.FromSeconds(25));
        Console.Error.WriteLine($"Stopped with savepoint {pointer}; what it covers is committed. Continue with the same options and --from-savepoint {pointer}{generatorOption}");
        return 0;
    }
    catch (SavepointFailedException ex)
    {
        Console.Error.WriteLine($"{ex.Message} The job is canceled; the output of its completed checkpoints is committed.");
        await jobs.CancelAsync(jobId);
        return 1;
    }
}
