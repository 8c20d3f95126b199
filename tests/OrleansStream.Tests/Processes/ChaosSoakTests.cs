using System.Diagnostics;
using System.Globalization;
using OrleansStream.Client;
using OrleansStream.Contracts.Jobs;
using OrleansStream.Tests.Fixtures;
using OrleansStream.Tests.Topology;
using Xunit.Abstractions;

namespace OrleansStream.Tests.Processes;

/// <summary>
/// The chaos soak (tests/soak/soak.sh): the IP count on three silo processes over PostgreSQL, through a seeded series
/// of faults (SIGKILL, SIGSTOP and SIGCONT, SIGTERM, a PostgreSQL restart), each applied once the job has completed a
/// checkpoint since the last one recovered; a killed or stopped silo is replaced, as a Deployment would. At the end the
/// committed counts must be exactly those of a run without faults, and no silo may have held more memory than
/// <see cref="MemoryLimit"/>. Faults and seed come from ORLEANSSTREAM_SOAK_FAULTS (100) and ORLEANSSTREAM_SOAK_SEED (1).
/// </summary>
[Trait(Suites.Trait, Suites.Soak)]
public sealed class ChaosSoakTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const long MemoryLimit = 1L << 30;
    private static readonly string[] Kinds = ["SIGKILL", "SIGSTOP", "SIGTERM", "PostgreSQL restart"];

    private readonly int _faults = int.Parse(Environment.GetEnvironmentVariable("ORLEANSSTREAM_SOAK_FAULTS") ?? "100", CultureInfo.InvariantCulture);
    private readonly int _seed = int.Parse(Environment.GetEnvironmentVariable("ORLEANSSTREAM_SOAK_SEED") ?? "1", CultureInfo.InvariantCulture);
    private PostgresServer _postgres = null!;
    private SiloProcessCluster _cluster = null!;
    private IpCountInput _input = null!;

    public async Task InitializeAsync()
    {
        // Durable: a crash of PostgreSQL must not take back what it committed, or no job could survive it.
        _postgres = await PostgresServer.StartAsync(durable: true);
        _cluster = await SiloProcessCluster.StartAsync(_postgres, "soak", silos: 3, slotsPerSilo: 2);
        // Paced at 100 lines/s, the input outlasts the faults: each takes seconds, not minutes.
        _input = IpCountInput.Write(_cluster.Directory, lines: Math.Max(IpCountInput.LongLines, _faults * 6_000), seed: _seed);
    }

    public async Task DisposeAsync()
    {
        _cluster.Dispose();
        await _postgres.DisposeAsync();
    }

    [Fact]
    public async Task The_ip_count_commits_exactly_the_failure_free_counts_through_every_fault()
    {
        await _cluster.WithOutputOnFailureAsync(output, async () =>
        {
            await _cluster.WaitUntilActiveAsync();
            await using var client = await StreamClient.ConnectAsync(StreamClientOptions.ForPostgres(_cluster.ConnectionString) with
            {
                ClusterId = _cluster.ClusterId,
                ServiceId = _cluster.ClusterId,
            });
            var submitted = await client.SubmitAsync(Submission("rate=" + IpCountInput.PacedRate));
            var watch = JobWatch.Of(client, submitted.JobId, output);
            var random = new Random(_seed);
            var recoveries = new List<(string Kind, double Seconds)>();
            var peaks = new Dictionary<string, long>();
            var started = Stopwatch.StartNew();

            await _input.WaitForFirstCommitAsync();
            for (int fault = 1; fault <= _faults; fault++)
            {
                var before = await watch.WaitUntilCheckpointedAfterInputAsync("log-lines");
                string kind = Kinds[random.Next(Kinds.Length)];
                int victim = PickVictim(before, random);
                var faulted = Stopwatch.StartNew();
                output.WriteLine($"fault {fault}/{_faults}: {kind} {(kind.StartsWith("SIG", StringComparison.Ordinal) ? _cluster.Silos[victim].Name : "")} at attempt {before.Attempt}");
                await ApplyAsync(kind, victim, random);
                await watch.WaitUntilCheckpointedAsync(what: $"{kind} (fault {fault})");
                recoveries.Add((kind, faulted.Elapsed.TotalSeconds));
                Sample(peaks);
            }

            // The faults are over: a savepoint ends the paced run, and the rest of the input is read at full speed from it.
            string pointer = await client.StopWithSavepointAsync(submitted.JobId, JobWatch.Patience);
            var resumed = await client.SubmitAsync(Submission("rate=0") with { FromSavepoint = pointer });
            var finished = await JobWatch.Of(client, resumed.JobId, output).WaitForEndAsync();
            Sample(peaks);
            var stopped = await client.GetStatusAsync(submitted.JobId);

            Report(recoveries, peaks, stopped, started.Elapsed);
            Assert.Equal(JobState.Finished, finished.State);
            Assert.Equal(_input.ExpectedCounts(), _input.CommittedCounts());
            Assert.All(peaks, peak => Assert.True(peak.Value < MemoryLimit, $"{peak.Key} held {peak.Value >> 20} MiB, above the limit of {MemoryLimit >> 20} MiB"));
        });
    }

    // A job meant to outlive any number of faults restarts without a budget, backing off while the cluster settles:
    // the default (ten restarts) is spent within the first few dozen faults.
    private JobSubmission Submission(string rate) => JobSubmission.ForTopology(
        "restart: { strategy: exponential-delay, initialDelay: 1s, maxDelay: 10s }\n" + File.ReadAllText(IpCountTopologyTests.SampleTopology()), "ipcount.topology.yaml", parallelism: 4, new Dictionary<string, string>
    {
        ["input"] = _input.InputPath,
        ["output"] = _input.OutputPath,
        ["checkpoint-interval"] = "500ms",
        ["rate"] = rate["rate=".Length..],
    });

    /// <summary>A live silo that runs tasks of the job; its supervising silo as often as any other.</summary>
    private int PickVictim(JobStatus status, Random random)
    {
        var running = status.Slots!.Select(_cluster.IndexOf).Where(i => i >= 0 && !_cluster.Silos[i].HasExited).Distinct().Order().ToList();
        return running[random.Next(running.Count)];
    }

    private async Task ApplyAsync(string kind, int victim, Random random)
    {
        var silo = _cluster.Silos[victim];
        switch (kind)
        {
            case "SIGKILL":
                silo.Kill();
                _cluster.AddSilo(2);
                break;
            case "SIGTERM":
                await silo.TerminateAsync(JobWatch.Patience);
                _cluster.AddSilo(2);
                break;
            case "SIGSTOP":
                silo.Suspend();
                await Task.Delay(TimeSpan.FromSeconds(random.Next(2, 9)));
                silo.Resume();
                // Declared dead while it was stopped, it stops itself when it learns so: replace it then.
                await Task.Delay(TimeSpan.FromSeconds(3));
                if (silo.HasExited)
                {
                    _cluster.AddSilo(2);
                }

                break;
            default:
                await _postgres.RestartAsync(TimeSpan.FromSeconds(random.Next(1, 6)));
                break;
        }
    }

    private void Sample(Dictionary<string, long> peaks)
    {
        foreach (var silo in _cluster.Silos.Where(s => !s.HasExited))
        {
            if (silo.ResidentBytes() is { } bytes && bytes > peaks.GetValueOrDefault(silo.Name))
            {
                peaks[silo.Name] = bytes;
            }
        }
    }

    private void Report(List<(string Kind, double Seconds)> recoveries, Dictionary<string, long> peaks, JobStatus stopped, TimeSpan elapsed)
    {
        static string Percentiles(IEnumerable<double> values)
        {
            var sorted = values.Order().ToList();
            return sorted.Count == 0 ? "-" : string.Create(CultureInfo.InvariantCulture,
                $"p50 {sorted[sorted.Count / 2]:F1} s, p90 {sorted[Math.Min(sorted.Count - 1, sorted.Count * 9 / 10)]:F1} s, max {sorted[^1]:F1} s");
        }

        var lines = new List<string>
        {
            string.Create(CultureInfo.InvariantCulture, $"SOAK seed {_seed}: {recoveries.Count} faults in {elapsed.TotalMinutes:F1} min; the job ran {stopped.Attempt} attempts ({stopped.Checkpoints.Restarts} restarts), {stopped.Checkpoints.Completed} checkpoints completed, {stopped.Checkpoints.Failed} failed"),
            $"SOAK recovery (fault to the next completed checkpoint): all {Percentiles(recoveries.Select(r => r.Seconds))}",
        };
        lines.AddRange(recoveries.GroupBy(r => r.Kind).OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => $"SOAK   {g.Key}: {g.Count()} faults, {Percentiles(g.Select(r => r.Seconds))}"));
        var bySize = peaks.OrderBy(p => p.Value).ToList();
        lines.Add(bySize.Count == 0 ? "SOAK peak resident memory: none sampled" : string.Create(CultureInfo.InvariantCulture,
            $"SOAK peak resident memory over {bySize.Count} silo processes: max {bySize[^1].Value >> 20} MiB ({bySize[^1].Key}), median {bySize[bySize.Count / 2].Value >> 20} MiB"));
        foreach (var line in lines)
        {
            output.WriteLine(line);
        }

        if (Environment.GetEnvironmentVariable("ORLEANSSTREAM_SOAK_REPORT") is { Length: > 0 } report)
        {
            File.WriteAllLines(report, lines);
        }
    }
}
