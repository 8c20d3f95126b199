using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging;
using OrleansStream.Contracts.Jobs;
using OrleansStream.Nexmark;
using OrleansStream.Nexmark.Formats;
using OrleansStream.Nexmark.Generator;
using OrleansStream.Runtime.Hosting;

// nexmark generate: events into a JSON-lines file (to compare runs with other implementations).
// nexmark run: one query on a cluster of silos in this process, over a file or the generator.

var events = new Option<long>("--events") { Description = "How many events to generate (run: 0 for no end).", DefaultValueFactory = _ => 1_000_000 };
var seed = new Option<long>("--seed") { Description = "The generator's seed.", DefaultValueFactory = _ => 0 };
var eventRate = new Option<long>("--event-rate") { Description = "Events per second of event time: spaces the events' dateTime.", DefaultValueFactory = _ => 10_000 };
var baseTime = new Option<long>("--base-time") { Description = "dateTime of event 0 in epoch milliseconds.", DefaultValueFactory = _ => NexmarkConfig.DefaultBaseTime };
var outFile = new Option<FileInfo>("--out") { Description = "The JSON-lines file to write.", Required = true };

var generate = new Command("generate", "Writes generated events to a JSON-lines file.") { events, seed, eventRate, baseTime, outFile };
generate.SetAction(async (result, cancellationToken) =>
{
    var config = new NexmarkConfig { Seed = result.GetValue(seed), EventsPerSecond = result.GetValue(eventRate), BaseTime = result.GetValue(baseTime) };
    var generator = new NexmarkGenerator(config);
    long count = result.GetValue(events);
    var path = result.GetValue(outFile)!.FullName;
    var stopwatch = Stopwatch.StartNew();
    await NexmarkJson.WriteFileAsync(path, Range(count).Select(generator.Generate), cancellationToken);
    Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{count} events written to {path} in {stopwatch.Elapsed.TotalSeconds:F1} s"));
    return 0;
});

var query = new Option<string>("--query") { Description = "q0, q1, q2, q3, q4, q5, q7 or q8.", Required = true };
var input = new Option<FileInfo?>("--input") { Description = "JSON-lines events to read; without it the generator runs." };
var output = new Option<FileInfo?>("--output") { Description = "CSV file for the results (malformed input lines go to <output>.rejected); without it results are discarded." };
var rate = new Option<double>("--rate") { Description = "Generator: the most events per second in all; 0 for no limit.", DefaultValueFactory = _ => 0 };
var parallelism = new Option<int>("--parallelism") { Description = "The job's parallelism.", DefaultValueFactory = _ => 2 };
var sourceParallelism = new Option<int?>("--source-parallelism") { Description = "The source's parallelism (the job's by default)." };
var silos = new Option<int>("--silos") { Description = "Silos to start in this process.", DefaultValueFactory = _ => 1 };
var checkpointInterval = new Option<double?>("--checkpoint-interval") { Description = "Seconds between checkpoints; off by default." };

var run = new Command("run", "Runs a query on a local cluster and waits for it to finish.")
{
    query, input, output, events, seed, eventRate, baseTime, rate, parallelism, sourceParallelism, silos, checkpointInterval,
};
run.SetAction(async (result, cancellationToken) =>
{
    var parameters = new Dictionary<string, string>
    {
        ["query"] = result.GetValue(query)!,
        ["output"] = result.GetValue(output)?.FullName ?? "none",
    };
    if (result.GetValue(input) is { } file)
    {
        parameters["source"] = "file";
        parameters["input"] = file.FullName;
    }
    else
    {
        parameters["events"] = Invariant(result.GetValue(events));
        parameters["seed"] = Invariant(result.GetValue(seed));
        parameters["event-rate"] = Invariant(result.GetValue(eventRate));
        parameters["base-time"] = Invariant(result.GetValue(baseTime));
        parameters["rate"] = Invariant(result.GetValue(rate));
    }

    if (result.GetValue(sourceParallelism) is { } sources)
    {
        parameters["source-parallelism"] = Invariant(sources);
    }

    if (result.GetValue(checkpointInterval) is { } interval)
    {
        parameters["checkpoint-interval"] = Invariant(interval);
    }

    try
    {
        NexmarkJobOptions.From(new OrleansStream.Api.JobParameters(parameters));
    }
    catch (ArgumentException ex)
    {
        Console.Error.WriteLine(ex.Message);
        return 2;
    }

    int jobParallelism = result.GetValue(parallelism);
    int siloCount = result.GetValue(silos);
    // An embedded cluster offers as many slots as the job needs, even on a machine with fewer cores.
    int slotsPerSilo = Math.Max(Environment.ProcessorCount, (Math.Max(jobParallelism, result.GetValue(sourceParallelism) ?? 1) + siloCount - 1) / siloCount);
    var stopwatch = Stopwatch.StartNew();
    await using var cluster = await LocalCluster.StartAsync(siloCount, silo => silo.UseTaskSlots(slotsPerSilo), LogLevel.Error, cancellationToken: cancellationToken);
    var status = await cluster.Jobs.SubmitAsync(JobSubmission.For<NexmarkJob>(jobParallelism, parameters, $"nexmark-{parameters["query"]}"));
    try
    {
        status = await cluster.Jobs.WaitForCompletionAsync(status.JobId, cancellationToken);
    }
    catch (OperationCanceledException)
    {
        await cluster.Jobs.CancelAsync(status.JobId);
        return 1;
    }

    if (status.State != JobState.Finished)
    {
        Console.Error.WriteLine($"Job {status.JobId} {status.State}: {status.Failure}");
        return 1;
    }

    Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"{status.RecordsOf(NexmarkJob.SourceName)} input records, {status.RecordsOf(NexmarkJob.ResultSinkName)} results, {status.RecordsOf(NexmarkJob.RejectedSinkName)} rejected lines, {stopwatch.Elapsed.TotalSeconds:F1} s"));
    return 0;
});

var root = new RootCommand("Nexmark on OrleansStream: generate events, run queries q0, q1, q2, q3, q4, q5, q7 and q8.") { generate, run };
return await root.Parse(args).InvokeAsync();

static string Invariant(IFormattable value) => value.ToString(null, CultureInfo.InvariantCulture);

static IEnumerable<long> Range(long count)
{
    for (long i = 0; i < count; i++)
    {
        yield return i;
    }
}
