using System.Globalization;
using OrleansStream.Api;
using OrleansStream.Contracts.Jobs;
using OrleansStream.Samples.IpCount;
using OrleansStream.Tests.Fixtures;
using OrleansStream.Tests.Model;
using OrleansStream.Windows;
using Xunit.Abstractions;

namespace OrleansStream.Tests.Cluster;

/// <summary>The IP count in exactly-once mode with a step after the source that throws once, on the line the test names.</summary>
public sealed class FaultyIpCountJob : IStreamJob
{
    public void Build(StreamBuilder builder)
    {
        var parameters = builder.Parameters;
        string run = parameters.Get("fault.run", "");
        long line = parameters.GetInt64("fault.line", -1);
        IpCountJob.Build(builder, IpCountOptions.From(parameters), lines => lines.Map(l =>
        {
            PoisonOnce.Check(run, l.LineNumber, line);
            return l;
        }, "fault once"));
    }
}

/// <summary>
/// The IP count's exactly-once mode on three silos over PostgreSQL, reading an out-of-order log with
/// lines late by less than the allowed lateness (they update fired windows) and by more (they go to the
/// late output): after a failure, or a stop with a savepoint and a restart at another parallelism, the
/// committed output is what a model of the window semantics computes from the file.
/// </summary>
/// <remarks>
/// The sample's file source cannot be wrapped in a <see cref="SourceGate"/>, and a line held in a step after it would
/// hold up the checkpoint barriers behind it. So a first run reads at <see cref="PacedRate"/> lines per second, which
/// keeps it tens of seconds from the end of its input (and from the faulty line) while the test waits for a completed
/// checkpoint and committed results, and the test ends it explicitly with a savepoint; a second run goes on from
/// that savepoint at full speed.
/// </remarks>
[Collection(PostgresCollection.Name)]
public sealed class IpCountExactlyOnceClusterTests(PostgresServer postgres, ITestOutputHelper output) : IAsyncLifetime
{
    private const int Lines = 4_000;

    /// <summary>The most lines per second a first run reads: the end of the input is 40 s away at least, line 2,500 25 s.</summary>
    private const double PacedRate = 100;
    private static readonly int[] MalformedAt = [700, 1_900, 3_300];

    private readonly string _directory = Directory.CreateTempSubdirectory("ipcount-exactly-once-").FullName;
    private RecoveryCluster _cluster = null!;

    private string InputPath => Path.Combine(_directory, "access.log");

    private string OutputPath => Path.Combine(_directory, "out");

    public async Task InitializeAsync()
    {
        WriteInput();
        _cluster = await RecoveryCluster.StartAsync(postgres, "ipcount_" + Guid.NewGuid().ToString("N")[..8]);
    }

    public async Task DisposeAsync()
    {
        await _cluster.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task A_function_that_throws_once_mid_job_leaves_the_committed_counts_refires_and_late_lines_exact()
    {
        // The run that meets the fault goes on from a savepoint of a first run with committed results: its restart
        // restores that savepoint or a later checkpoint, and a restore that missed them would commit them again.
        var savepoint = await RunPacedUntilCommittedAndStopAsync(parallelism: 3);
        var parameters = Parameters(rate: null);
        parameters["fault.run"] = Guid.NewGuid().ToString();
        parameters["fault.line"] = "2500";
        var submitted = await _cluster.Jobs.SubmitAsync(JobSubmission.For<FaultyIpCountJob>(3, parameters) with { FromSavepoint = savepoint });

        var status = await WaitAsync(submitted.JobId);

        Assert.Equal(JobState.Finished, status.State);
        Assert.Equal(1, status.Checkpoints.Restarts);
        Assert.True(status.Attempt >= 2, $"expected a restart, got attempt {status.Attempt}");
        Assert.Equal(savepoint, status.Checkpoints.RestoredFrom);
        Assert.Contains("record 2500 hit a transient fault", status.Checkpoints.LastFailure);
        Assert.True(status.Checkpoints.Completed >= 1, $"expected checkpoints, got {status.Checkpoints.Completed}");
        AssertCommittedOutputIsExact();
    }

    [Fact]
    public async Task Stopped_with_a_savepoint_and_continued_at_another_parallelism_the_committed_output_is_exact()
    {
        var savepoint = await RunPacedUntilCommittedAndStopAsync(parallelism: 3);

        var second = await _cluster.Jobs.SubmitAsync(JobSubmission.For<FaultyIpCountJob>(2, Parameters(rate: null)) with { FromSavepoint = savepoint });
        var status = await WaitAsync(second.JobId);

        Assert.Equal(JobState.Finished, status.State);
        Assert.Equal(savepoint, status.Checkpoints.RestoredFrom);
        AssertCommittedOutputIsExact();
    }

    /// <summary>
    /// Runs the job at <see cref="PacedRate"/> until it has committed window results and completed a checkpoint after
    /// reading input, stops it with a savepoint in the middle of its input, and returns the savepoint.
    /// </summary>
    private async Task<string> RunPacedUntilCommittedAndStopAsync(int parallelism)
    {
        var first = await _cluster.Jobs.SubmitAsync(JobSubmission.For<FaultyIpCountJob>(parallelism, Parameters(PacedRate)));
        await WaitUntilAsync(() => CommittedOutput.Lines(Sink(IpCountOptions.CountsDirectory)).Count > 0, "the first window results to be committed");
        await JobWatch.Of(_cluster.Jobs, first.JobId, output).WaitUntilCheckpointedAfterInputAsync(IpCountOptions.SourceName);
        var savepoint = await _cluster.Jobs.StopWithSavepointAsync(first.JobId, JobWatch.Patience);
        var stopped = await _cluster.Jobs.GetStatusAsync(first.JobId);
        int committedBefore = CommittedOutput.Lines(Sink(IpCountOptions.CountsDirectory)).Count;
        output.WriteLine($"stopped with {savepoint} after {stopped.RecordsOf(IpCountOptions.SourceName)} lines; {committedBefore} window results committed");
        Assert.Equal(JobState.Stopped, stopped.State);
        Assert.True(committedBefore > 0 && committedBefore < Expected().Counts.Count, "the first run should stop in the middle of its input");
        return savepoint;
    }

    private Dictionary<string, string> Parameters(double? rate)
    {
        var parameters = new Dictionary<string, string>
        {
            ["input"] = InputPath,
            ["output"] = OutputPath,
            ["exactly-once"] = "true",
            ["checkpoint-interval"] = "0.2",
            ["allowed-lateness"] = "5",
            ["out-of-orderness"] = "5",
            ["window"] = "5",
            ["source-parallelism"] = "1",
        };
        if (rate is { } linesPerSecond)
        {
            parameters["rate"] = linesPerSecond.ToString(CultureInfo.InvariantCulture);
        }

        return parameters;
    }

    private Task<JobStatus> WaitAsync(string jobId) => JobWatch.Of(_cluster.Jobs, jobId, output).WaitForEndAsync();

    private static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        using var timeout = new CancellationTokenSource(JobWatch.Patience);
        while (!condition())
        {
            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(50), timeout.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"Waited {JobWatch.Patience.TotalMinutes} min for {what}.");
            }
        }
    }

    private void AssertCommittedOutputIsExact()
    {
        var (counts, late, refires) = Expected();
        output.WriteLine($"expected {counts.Count} window results ({refires} from late lines within the lateness) and {late.Count} late lines");
        Assert.True(refires > 20 && late.Count > 20, "the input should update fired windows and have lines beyond the lateness");

        Assert.Equal(counts, CommittedOutput.Lines(Sink(IpCountOptions.CountsDirectory)));
        Assert.Equal(late, CommittedOutput.Lines(Sink(IpCountOptions.LateDirectory)));
        var rejected = CommittedOutput.Lines(Sink(IpCountOptions.RejectedDirectory));
        Assert.Equal(MalformedAt.Select(n => $"{InputPath}:{n}: ").Order(StringComparer.Ordinal), rejected.Select(r => r[..(r.IndexOf(": ", StringComparison.Ordinal) + 2)]));
    }

    private string Sink(string name) => Path.Combine(OutputPath, name);

    /// <summary>What the job must commit, from the file in line order and the lateness model (5 s windows, bound and lateness).</summary>
    private (List<string> Counts, List<string> Late, int Refires) Expected()
    {
        var visits = File.ReadLines(InputPath)
            .Select(line => line.Split(' '))
            .Where(parts => parts.Length == 2 && TimeSpan.TryParseExact(parts[0], @"hh\:mm\:ss", CultureInfo.InvariantCulture, out _))
            .Select(parts => (Key: parts[1], Ts: (long)TimeSpan.ParseExact(parts[0], @"hh\:mm\:ss", CultureInfo.InvariantCulture).TotalMilliseconds))
            .ToList();
        var (results, late) = LatenessModel.Run(visits, TumblingEventTimeWindows.Of(TimeSpan.FromSeconds(5)), bound: 5_000, lateness: 5_000);
        static string Time(long ms) => TimeSpan.FromMilliseconds(ms).ToString(@"hh\:mm\:ss", CultureInfo.InvariantCulture);
        return (
            results.Select(r => $"{Time(r.Result.Window.Start)} {r.Result.Key} {r.Result.Value}").Order(StringComparer.Ordinal).ToList(),
            late.Select(v => $"{Time(v.Ts)} {v.Key}").Order(StringComparer.Ordinal).ToList(),
            results.Count(r => r.Refire));
    }

    /// <summary>
    /// A log of eight IPs whose clock moves a tenth of a second per line on average, so that about fifty
    /// lines fall within a window's lateness: a restore then always finds fired windows still kept. Most
    /// lines are behind the newest by up to 4 s (within the 5 s bound); 15 % by 6 to 9 s (behind the
    /// watermark, mostly within the lateness); 7 % by 11 to 20 s (mostly beyond it). A few lines are not
    /// log lines at all.
    /// </summary>
    private void WriteInput()
    {
        var random = new Random(20261125);
        var start = TimeSpan.FromHours(8);
        long clock = 0;
        var lines = new List<string>(Lines);
        for (int number = 1; number <= Lines; number++)
        {
            if (MalformedAt.Contains(number))
            {
                lines.Add($"not a log line {number}");
                continue;
            }

            clock += random.Next(0, 201);
            double roll = random.NextDouble();
            long behind = roll < 0.15 ? random.Next(6_000, 10_000) : roll < 0.22 ? random.Next(11_000, 21_000) : random.Next(0, 4_001);
            var time = start + TimeSpan.FromMilliseconds(Math.Max(0, clock - behind));
            lines.Add($"{time:hh\\:mm\\:ss} 10.0.0.{random.Next(1, 9)}");
        }

        File.WriteAllLines(InputPath, lines);
    }
}
