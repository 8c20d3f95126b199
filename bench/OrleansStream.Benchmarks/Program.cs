using System.CommandLine;
using System.Globalization;
using OrleansStream.Benchmarks;
using OrleansStream.Benchmarks.Nexmark;
using OrleansStream.Nexmark;
using OrleansStream.Runtime.Hosting;

var records = new Option<long>("--records") { Description = "Records for the pipeline benchmark.", DefaultValueFactory = _ => 10_000_000 };
var channelRecords = new Option<long>("--channel-records") { Description = "Records for each channel throughput run.", DefaultValueFactory = _ => 20_000_000 };
var rate = new Option<double>("--latency-rate") { Description = "Records per second for the latency runs (below saturation).", DefaultValueFactory = _ => 100_000 };
var only = new Option<string?>("--only")
{
    Description = "Run only 'pipeline' or 'channel'; or the benchmarks that run only when asked for: 'nexmark', 'checkpoints' (all three), " +
        "'checkpoint-size', 'checkpoint-cost', 'recovery', 'rescale' or 'rescale-q5' (its Nexmark q5 part alone), 'idle' (scale to zero: wake-up and footprint).",
};
var checkpointKeys = new Option<long[]>("--checkpoint-keys")
{
    Description = "Distinct keys in state for the checkpoint size runs.", DefaultValueFactory = _ => [100_000, 10_000_000], AllowMultipleArgumentsPerToken = true,
};
var checkpointSamples = new Option<int>("--checkpoint-samples") { Description = "Completed checkpoints of full state to collect per size and storage.", DefaultValueFactory = _ => 5 };
var checkpointStorages = new Option<string[]>("--checkpoint-storage")
{
    Description = "Checkpoint storages for the size runs: sqlite, postgres.", DefaultValueFactory = _ => ["sqlite", "postgres"], AllowMultipleArgumentsPerToken = true,
};
var costRecords = new Option<long>("--cost-records") { Description = "Records per run of the checkpoint cost benchmark.", DefaultValueFactory = _ => 20_000_000 };
var costPairs = new Option<int>("--cost-pairs") { Description = "Pairs of runs (without, with checkpoints) per job in the checkpoint cost benchmark.", DefaultValueFactory = _ => 2 };
var membership = new Option<MembershipProfile[]>("--membership")
{
    Description = "Membership settings for the recovery runs: Tuned (as the recovery tests), Moderate (probe 1 s, 3 missed, 2 votes), Defaults (Orleans' defaults).",
    DefaultValueFactory = _ => [MembershipProfile.Tuned, MembershipProfile.Moderate, MembershipProfile.Defaults], AllowMultipleArgumentsPerToken = true,
};
var restartDelay = new Option<int?>("--restart-delay-ms") { Description = "The recovery job's restart delay; the engine's default restart strategy (1 s) when not given." };
var fastPostgres = new Option<bool>("--postgres-no-fsync") { Description = "Run the throwaway PostgreSQL without fsync and synchronous commit, as the test fixture does." };
var nexmarkQueries = new Option<NexmarkQuery[]>("--nexmark-queries")
{
    Description = "Nexmark queries to run.", DefaultValueFactory = _ => [NexmarkQuery.Q0, NexmarkQuery.Q1, NexmarkQuery.Q2, NexmarkQuery.Q3, NexmarkQuery.Q4, NexmarkQuery.Q5, NexmarkQuery.Q7, NexmarkQuery.Q8], AllowMultipleArgumentsPerToken = true,
};
var nexmarkEvents = new Option<long>("--nexmark-events") { Description = "Events per Nexmark throughput run.", DefaultValueFactory = _ => 10_000_000 };
var nexmarkSilos = new Option<int[]>("--nexmark-silos") { Description = "In-process cluster sizes for the Nexmark runs.", DefaultValueFactory = _ => [1, 2], AllowMultipleArgumentsPerToken = true };
var nexmarkParallelism = new Option<int>("--nexmark-parallelism") { Description = "Parallelism of the Nexmark jobs.", DefaultValueFactory = _ => 2 };
var nexmarkCheckpoints = new Option<string[]>("--nexmark-checkpoints")
{
    Description = "Checkpoint intervals in seconds, or 'off', for the Nexmark throughput runs.", DefaultValueFactory = _ => ["off", "10"], AllowMultipleArgumentsPerToken = true,
};
var nexmarkProvider = new Option<string>("--nexmark-transport") { Description = "Channel transport of the Nexmark runs: orleansstream or memory.", DefaultValueFactory = _ => OrleansStreamOptions.DefaultChannelTransport };
var nexmarkLatencySeconds = new Option<int>("--nexmark-latency-seconds")
{
    Description = "Seconds of events in each Nexmark latency run; q5 and q7 measure only windows that open after the first 2 s and close before the end.", DefaultValueFactory = _ => 60,
};
var nexmarkWatermarkMs = new Option<int>("--nexmark-watermark-ms")
{
    Description = "Periodic watermark interval of the Nexmark jobs (StreamBuilder.AutoWatermarkInterval; the engine's default, as Flink's, is 200 ms).", DefaultValueFactory = _ => 200,
};
var rescaleKeys = new Option<long>("--rescale-keys") { Description = "Keys in state for the rescale benchmark.", DefaultValueFactory = _ => 1_000_000 };
var siloProcess = new Option<string?>("--silo-process") { Description = "Internal: run one silo of the recovery benchmark over this PostgreSQL connection string.", Hidden = true };
var clusterId = new Option<string?>("--cluster-id") { Description = "Internal: the cluster id of a --silo-process silo.", Hidden = true };
var root = new RootCommand("OrleansStream benchmarks: each engine figure is printed next to a baseline measured in the same run.")
{
    records, channelRecords, rate, only, checkpointKeys, checkpointSamples, checkpointStorages, costRecords, costPairs, membership, restartDelay, fastPostgres, siloProcess, clusterId,
    nexmarkQueries, nexmarkEvents, nexmarkSilos, nexmarkParallelism, nexmarkCheckpoints, nexmarkProvider, nexmarkLatencySeconds, nexmarkWatermarkMs, rescaleKeys,
};

root.SetAction(async (result, cancellationToken) =>
{
    if (result.GetValue(siloProcess) is { } connectionString)
    {
        await RecoverySiloProcess.RunAsync(connectionString, result.GetValue(clusterId)!, result.GetValue(membership)![0]);
        return 0;
    }

    string? part = result.GetValue(only);
    Console.WriteLine($"OrleansStream benchmarks, {Environment.ProcessorCount} cores, .NET {Environment.Version}, {DateTime.UtcNow:yyyy-MM-dd}");
    if (part is null or "pipeline")
    {
        long n = result.GetValue(records);
        var limit = await PipelineBenchmark.RunLimitAsync(n);
        var engine = await PipelineBenchmark.RunEngineAsync(n, parallelism: 2);
        Console.WriteLine();
        Console.WriteLine("IP count pipeline (generator -> parse -> keyBy -> 5 s window count -> discard)");
        Console.WriteLine("| run | records | records/s | records per CPU-second | allocated B/record | GC pause | gen2 GCs | engine / limit |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var m in new[] { limit, engine })
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {m.Name} | {m.Records:N0} | {m.RecordsPerSecond / 1e6:F2} M | {m.RecordsPerCpuSecond / 1e6:F2} M | {m.BytesPerRecord:F0} | {m.GcPause.TotalMilliseconds:F0} ms | {m.Gen2Collections} | {m.RecordsPerSecond / limit.RecordsPerSecond:F2} |"));
        }
    }

    if (part is null or "channel")
    {
        Console.WriteLine();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"One channel hop (records are longs; latency at {result.GetValue(rate):N0} records/s)"));
        Console.WriteLine("| transport, placement | records | records/s | allocated B/record | p50 latency | p99 latency |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|");
        foreach (var provider in new[] { OrleansStreamOptions.DefaultChannelTransport, "memory" })
        {
            foreach (int silos in new[] { 1, 2 })
            {
                var (m, p50, p99) = await ChannelBenchmark.RunAsync(provider, silos, result.GetValue(channelRecords), result.GetValue(rate), TimeSpan.FromSeconds(3));
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {m.Name} | {m.Records:N0} | {m.RecordsPerSecond / 1e6:F2} M | {m.BytesPerRecord:F1} | {p50:F2} ms | {p99:F2} ms |"));
            }
        }
    }

    if (part is "nexmark")
    {
        var checkpoints = result.GetValue(nexmarkCheckpoints)!
            .Select(c => c.Equals("off", StringComparison.OrdinalIgnoreCase) ? (TimeSpan?)null
                : double.TryParse(c, NumberStyles.Float, CultureInfo.InvariantCulture, out double seconds) && seconds >= 0.001 ? TimeSpan.FromSeconds(seconds)
                : throw new ArgumentException($"--nexmark-checkpoints: '{c}' is neither 'off' nor a number of seconds of at least 0.001."))
            .ToList();
        if (result.GetValue(nexmarkWatermarkMs) < 1)
        {
            throw new ArgumentException("--nexmark-watermark-ms must be at least 1.");
        }

        await NexmarkBenchmark.RunAsync(new NexmarkBenchmarkOptions(
            result.GetValue(nexmarkQueries)!, result.GetValue(nexmarkEvents), result.GetValue(nexmarkSilos)!, result.GetValue(nexmarkParallelism), checkpoints,
            result.GetValue(nexmarkProvider)!, TimeSpan.FromSeconds(result.GetValue(nexmarkLatencySeconds)), LatencyLoad: 0.5,
            TimeSpan.FromMilliseconds(result.GetValue(nexmarkWatermarkMs))));
    }

    if (part is "rescale" or "rescale-q5")
    {
        await RescaleBenchmark.RunAsync(result.GetValue(rescaleKeys), slots: 4, q5Only: part == "rescale-q5");
    }

    if (part is "idle")
    {
        await IdleBenchmark.RunAsync(rounds: 5);
    }

    if (part is "checkpoints" or "checkpoint-size" or "checkpoint-cost" or "recovery")
    {
        var options = new CheckpointBenchmarkOptions(
            result.GetValue(checkpointKeys)!, result.GetValue(checkpointSamples), result.GetValue(checkpointStorages)!, result.GetValue(costRecords),
            result.GetValue(costPairs), result.GetValue(membership)!, result.GetValue(restartDelay), !result.GetValue(fastPostgres));
        await CheckpointBenchmarks.RunAsync(part, options);
    }

    return 0;
});

// System.CommandLine 2.0.0 turns Ctrl+C and SIGTERM into cancellation only when given a timeout.
return await root.Parse(args).InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = TimeSpan.FromSeconds(10) });
