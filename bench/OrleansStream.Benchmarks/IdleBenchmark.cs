using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using OrleansStream.Api;
using OrleansStream.Api.Connectors;
using OrleansStream.Connectors.Redis;
using OrleansStream.Contracts.Jobs;
using StackExchange.Redis;

namespace OrleansStream.Benchmarks;

/// <summary>
/// Scale to zero: a job over a Redis stream with an idle timeout, on one silo in this process and a redis-server of
/// its own. Each round adds one entry while the job runs (the peer: how soon a running job answers), waits until the
/// job is idle, counts the task activations left and the silo's managed heap, then adds one entry and times its first
/// output: the wake-up. The sink records when each entry arrives, in this process.
/// </summary>
internal static class IdleBenchmark
{
    public static async Task RunAsync(int rounds)
    {
        await using var redis = await RedisProcess.StartAsync();
        string directory = Path.Combine(Path.GetTempPath(), "orleansstream-idle-bench-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(directory);
        try
        {
            await using var silo = await BenchSilo.StartAsync(CheckpointStorage.Sqlite(Path.Combine(directory, "state.db")), slots: 4);
            await using var connection = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);
            var db = connection.GetDatabase();
            string run = Guid.NewGuid().ToString("N")[..8];
            var parameters = new Dictionary<string, string> { ["redis"] = redis.ConnectionString, ["stream"] = "input-" + run, ["run"] = run };
            var job = await silo.Jobs.SubmitAsync(JobSubmission.For<IdleBenchJob>(2, parameters));
            var management = silo.Services.GetRequiredService<IGrainFactory>().GetGrain<IManagementGrain>(0);

            var running = new List<double>();
            var waking = new List<double>();
            var releasing = new List<double>();
            var activations = new List<(int Running, int Idle)>();
            var heap = new List<(long Running, long Idle)>();
            long next = 0;
            for (int round = 0; round < rounds; round++)
            {
                running.Add(await FirstOutputAsync(db, parameters["stream"], run, next++));
                int activeTasks = await TaskActivationsAsync(management);
                long runningHeap = ManagedHeap();
                await WaitForAsync(silo.Jobs, job.JobId, JobState.Idle);
                var idleAt = Stopwatch.GetTimestamp();
                int left;
                while ((left = await TaskActivationsAsync(management)) > 0 && Stopwatch.GetElapsedTime(idleAt) < TimeSpan.FromSeconds(10))
                {
                    await Task.Delay(10);
                }

                releasing.Add(Stopwatch.GetElapsedTime(idleAt).TotalMilliseconds);
                activations.Add((activeTasks, left));
                heap.Add((runningHeap, ManagedHeap()));
                waking.Add(await FirstOutputAsync(db, parameters["stream"], run, next++));
            }

            var status = await silo.Jobs.GetStatusAsync(job.JobId);
            Console.WriteLine();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"Scale to zero (Redis stream -> map -> sink, parallelism 2, checkpoints every 1 s, idle timeout {IdleBenchJob.IdleTimeout.TotalSeconds:0} s; {rounds} rounds, {status.Wakes} wakes, {status.Checkpoints.Restarts} restarts)"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"Task activations gone {Median(releasing):F0} ms (median; max {releasing.Max():F0} ms) after the job showed Idle."));
            Console.WriteLine("| job | first output after one new entry: median | max | task activations | silo managed heap after a full GC |");
            Console.WriteLine("|---|---:|---:|---:|---:|");
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| running (the peer) | {Median(running):F0} ms | {running.Max():F0} ms | {activations.Max(a => a.Running)} | {heap.Average(h => h.Running) / 1e6:F1} MB |"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| idle, waking | {Median(waking):F0} ms | {waking.Max():F0} ms | {activations.Max(a => a.Idle)} | {heap.Average(h => h.Idle) / 1e6:F1} MB |"));
            await silo.Jobs.CancelAsync(job.JobId);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>Adds entry <paramref name="value"/> and returns the milliseconds until the sink has it.</summary>
    private static async Task<double> FirstOutputAsync(IDatabase db, string stream, string run, long value)
    {
        var arrivals = IdleBenchJob.Arrivals(run);
        long added = Stopwatch.GetTimestamp();
        await db.StreamAddAsync(stream, "value", value);
        long arrived;
        while (!arrivals.TryGetValue(value, out arrived))
        {
            if (Stopwatch.GetElapsedTime(added) > TimeSpan.FromMinutes(1))
            {
                throw new TimeoutException($"Entry {value} did not reach the sink within a minute.");
            }

            await Task.Delay(1);
        }

        return Stopwatch.GetElapsedTime(added, arrived).TotalMilliseconds;
    }

    private static async Task WaitForAsync(StreamJobClient jobs, string jobId, JobState state)
    {
        var clock = Stopwatch.StartNew();
        JobStatus status;
        while ((status = await jobs.GetStatusAsync(jobId)).State != state)
        {
            if (status.IsTerminal || clock.Elapsed > TimeSpan.FromMinutes(1))
            {
                throw new InvalidOperationException($"Job {jobId} is {status.State} after {clock.Elapsed.TotalSeconds:F0} s, not {state}: {status.Failure}");
            }

            await Task.Delay(20);
        }
    }

    private static async Task<int> TaskActivationsAsync(IManagementGrain management)
        => (await management.GetDetailedGrainStatistics()).Count(g => g.GrainType.Contains("TaskGrain", StringComparison.Ordinal));

    private static long ManagedHeap()
    {
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        return GC.GetTotalMemory(forceFullCollection: true);
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
    }

    /// <summary>A redis-server of the benchmark's own on a free port, without persistence.</summary>
    private sealed class RedisProcess : IAsyncDisposable
    {
        private readonly Process _process;

        private RedisProcess(Process process, int port)
        {
            _process = process;
            ConnectionString = $"127.0.0.1:{port}";
        }

        public string ConnectionString { get; }

        public static async Task<RedisProcess> StartAsync()
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            int port = ((IPEndPoint)listener.LocalEndpoint).Port;
            listener.Stop();
            var start = new ProcessStartInfo("redis-server") { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (string argument in new[] { "--port", port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no" })
            {
                start.ArgumentList.Add(argument);
            }

            var process = Process.Start(start) ?? throw new InvalidOperationException("redis-server did not start; install it (apt-get install redis-server).");
            process.OutputDataReceived += (_, _) => { };
            process.ErrorDataReceived += (_, _) => { };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            var redis = new RedisProcess(process, port);
            for (int attempt = 0; ; attempt++)
            {
                try
                {
                    await using var probe = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);
                    return redis;
                }
                catch (RedisConnectionException) when (attempt < 50 && !process.HasExited)
                {
                    await Task.Delay(100);
                }
            }
        }

        public async ValueTask DisposeAsync()
        {
            _process.Kill();
            await _process.WaitForExitAsync();
            _process.Dispose();
        }
    }
}

/// <summary>Entries of a Redis stream (parameters "redis", "stream") into a sink that notes when each arrives (parameter "run"); idles after 2 s without input.</summary>
public sealed class IdleBenchJob : IStreamJob
{
    internal static readonly TimeSpan IdleTimeout = TimeSpan.FromSeconds(2);

    private static readonly ConcurrentDictionary<string, ConcurrentDictionary<long, long>> s_arrivals = new();

    /// <summary>When each value reached the sink in run <paramref name="run"/> (<see cref="Stopwatch.GetTimestamp"/>).</summary>
    internal static ConcurrentDictionary<long, long> Arrivals(string run) => s_arrivals.GetOrAdd(run, _ => new());

    public void Build(StreamBuilder builder)
    {
        var parameters = builder.Parameters;
        builder.EnableCheckpointing(TimeSpan.FromSeconds(1));
        builder.IdleTimeout = IdleTimeout;
        builder.FromSource(RedisStreamSource.Strings(parameters.GetRequired("redis"), parameters.GetRequired("stream")), "entries")
            .Map(long.Parse, "parse")
            .SinkTo(new ArrivalSink(Arrivals(parameters.GetRequired("run"))), "arrivals");
    }

    private sealed class ArrivalSink(ConcurrentDictionary<long, long> arrivals) : ISink<long>, ISinkWriter<long>
    {
        public int? RequiredParallelism => null;

        public ISinkWriter<long> CreateWriter(SinkContext context) => this;

        public void Write(long value, long timestamp) => arrivals.TryAdd(value, Stopwatch.GetTimestamp());

        public void Flush()
        {
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
