using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging;
using OrleansStream.Runtime.Hosting;
using OrleansStream.Runtime.Jobs;
using OrleansStream.Samples.IpCount;

var input = new Option<FileInfo?>("--input") { Description = "Log file (or directory, or glob) to read; without it a generator makes lines like the lesson's." };
var output = new Option<FileInfo?>("--output") { Description = "File to write window counts to; without it they are printed. Rejected lines go to <output>.rejected." };
var parallelism = new Option<int>("--parallelism") { Description = "Parallelism of the job.", DefaultValueFactory = _ => 4 };
var silos = new Option<int>("--silos") { Description = "Silos to start in this process.", DefaultValueFactory = _ => 1 };
var window = new Option<double>("--window") { Description = "Window size in seconds.", DefaultValueFactory = _ => 5 };
var outOfOrderness = new Option<double>("--out-of-orderness") { Description = "How late (seconds) a line may arrive behind the newest one seen.", DefaultValueFactory = _ => 5 };

var root = new RootCommand("Counts visits per client IP in event-time windows over web-server log lines (HH:mm:ss <ip> or yyyy-MM-dd_HH:mm:ss <ip>).")
{
    input, output, parallelism, silos, window, outOfOrderness,
};

root.SetAction(async (result, cancellationToken) =>
{
    var parameters = new Dictionary<string, string>
    {
        ["window"] = result.GetValue(window).ToString(CultureInfo.InvariantCulture),
        ["out-of-orderness"] = result.GetValue(outOfOrderness).ToString(CultureInfo.InvariantCulture),
    };
    var inputFile = result.GetValue(input);
    if (inputFile is not null)
    {
        parameters["input"] = inputFile.FullName;
    }
    else
    {
        parameters["generator.start"] = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);
        parameters["generator.realtime"] = "true";
    }

    if (result.GetValue(output) is { } outputFile)
    {
        parameters["output"] = outputFile.FullName;
    }

    var stopwatch = Stopwatch.StartNew();
    // An embedded cluster offers as many slots as the job needs, even on a machine with fewer cores.
    int siloCount = result.GetValue(silos);
    int slotsPerSilo = Math.Max(Environment.ProcessorCount, (result.GetValue(parallelism) + siloCount - 1) / siloCount);
    await using var cluster = await LocalCluster.StartAsync(siloCount, silo => silo.UseTaskSlots(slotsPerSilo), LogLevel.Error, cancellationToken: cancellationToken);
    var submission = JobSubmission.For<IpCountJob>(result.GetValue(parallelism), parameters, "ip-count");
    JobStatus status;
    try
    {
        status = await cluster.Jobs.SubmitAsync(submission);
    }
    catch (Exception ex) when (ex is JobSubmissionException or OrleansStream.Runtime.Placement.InsufficientSlotsException)
    {
        Console.Error.WriteLine(ex.Message);
        return 2;
    }

    if (inputFile is null)
    {
        Console.Error.WriteLine($"Job {status.JobId} is running on {cluster.SiloCount} silo(s); window counts appear as windows close. Ctrl+C stops it.");
    }

    try
    {
        status = await cluster.Jobs.WaitForCompletionAsync(status.JobId, cancellationToken);
    }
    catch (OperationCanceledException)
    {
        await cluster.Jobs.CancelAsync(status.JobId);
        return 0;
    }

    if (status.State != JobState.Finished)
    {
        Console.Error.WriteLine($"Job {status.JobId} {status.State}: {status.Failure}");
        return 1;
    }

    Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"{status.RecordsOf(IpCountOptions.SourceName)} records, {status.RecordsOf(IpCountOptions.OutputSinkName)} windows, {status.RecordsOf(IpCountOptions.RejectedSinkName)} rejected, {stopwatch.Elapsed.TotalSeconds:F1} s"));
    return 0;
});

// System.CommandLine 2.0.0 turns Ctrl+C and SIGTERM into cancellation only when given a timeout.
return await root.Parse(args).InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = TimeSpan.FromSeconds(10) });
