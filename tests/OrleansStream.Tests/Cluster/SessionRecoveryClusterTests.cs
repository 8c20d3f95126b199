using OrleansStream.Api;
using OrleansStream.Connectors.Files;
using OrleansStream.Connectors.Generator;
using OrleansStream.Contracts.Jobs;
using OrleansStream.Tests.Fixtures;
using OrleansStream.Time;
using OrleansStream.Windows;
using Xunit.Abstractions;

namespace OrleansStream.Tests.Cluster;

/// <summary>
/// Event-time sessions per key into the two-phase-commit file sink, checkpointed every 200 ms: one line
/// "key,start,end,count" per session. Sessions span many checkpoints, so a restore must bring back open sessions,
/// their merging bookkeeping and their timers exactly; a session lost, split or emitted twice shows in the lines.
/// The disorder stays within the watermark bound, so no element is late and the sessions do not depend on when
/// watermarks arrive, only on the elements. A <see cref="SourceGate"/> (parameter "gate") holds its input for the test.
/// </summary>
public sealed class SessionCountJob : IStreamJob
{
    public const int Keys = 20;
    public const long Gap = 250;

    /// <summary>Element i: key i % 20, time i * 5 ms with up to 21 ms of disorder, plus a 2 s pause every 400 elements.</summary>
    public static (long Key, long Ts) Element(long i) => (i % Keys, i * 5 - i % 4 * 7 + i / 400 * 2_000);

    public void Build(StreamBuilder builder)
    {
        var parameters = builder.Parameters;
        builder.EnableCheckpointing(TimeSpan.FromMilliseconds(200));
        builder.RestartStrategy = RestartStrategy.FixedDelay(5, TimeSpan.FromMilliseconds(200));
        var source = GeneratorSource.FromIndex(i => i, parameters.GetInt64("count", 0)).WithRateLimit(parameters.GetInt64("rate", 4_000)).GatedBy(parameters.Get(SourceGate.Parameter));
        string poisonRun = parameters.Get("poison-run", "");
        long poison = parameters.GetInt64("poison", -1);
        builder.FromSource(source, "numbers")
            .Map(i => Element(PoisonOnce.Check(poisonRun, i, poison)), "elements").Uid("elements")
            .AssignTimestampsAndWatermarks(WatermarkStrategy<(long Key, long Ts)>.ForBoundedOutOfOrderness(TimeSpan.FromMilliseconds(50)).WithTimestampAssigner(e => e.Ts))
            .KeyBy(e => e.Key)
            .Window(EventTimeSessionWindows.WithGap(TimeSpan.FromMilliseconds(Gap)))
            .Count("sessions").Uid("sessions")
            .SinkTo(FileSink.ForRowFormat<WindowResult<long, long>>(parameters.GetRequired("output"), r => $"{r.Key},{r.Window.Start},{r.Window.End},{r.Value}"), "committed sessions")
            .Uid("committed-sessions");
    }

    /// <summary>The sessions of the first <paramref name="count"/> elements, worked out from the sorted times of each key.</summary>
    public static List<string> Expected(long count)
    {
        var lines = new List<string>();
        foreach (var key in Enumerable.Range(0, (int)count).Select(i => Element(i)).GroupBy(e => e.Key))
        {
            var times = key.Select(e => e.Ts).Order().ToList();
            int first = 0;
            for (int i = 1; i <= times.Count; i++)
            {
                if (i == times.Count || times[i] - times[i - 1] > Gap)
                {
                    lines.Add($"{key.Key},{times[first]},{times[i - 1] + Gap},{i - first}");
                    first = i;
                }
            }
        }

        lines.Sort(StringComparer.Ordinal);
        return lines;
    }
}

[Collection(PostgresCollection.Name)]
public sealed class SessionRecoveryClusterTests(PostgresServer postgres, ITestOutputHelper output) : RecoveryClusterTest(postgres, output, "sessions")
{
    [Fact]
    public async Task Sessions_open_across_a_failure_are_restored_and_the_committed_sessions_are_exactly_once()
    {
        const long count = 20_000;

        // Three readers of at most 3,000 elements each stay below the poisoned element until the gate opens.
        var gate = NewGate(budget: 3_000);
        var parameters = new Dictionary<string, string>
        {
            ["count"] = count.ToString(),
            ["rate"] = "4000",
            ["output"] = OutputDirectory,
            ["poison-run"] = Guid.NewGuid().ToString(),
            ["poison"] = "12100",   // mid-block: every key has a session open
            [SourceGate.Parameter] = gate.Path,
        };
        var submitted = await Cluster.Jobs.SubmitAsync(JobSubmission.For<SessionCountJob>(3, parameters));
        var watch = Watch(submitted.JobId, gate);
        await watch.WaitUntilCheckpointedAfterInputAsync("numbers");
        gate.Open();

        var status = await watch.WaitForEndAsync();

        Assert.Equal(JobState.Finished, status.State);
        Assert.Equal(1, status.Checkpoints.Restarts);
        Assert.Contains("record 12100 hit a transient fault", status.Checkpoints.LastFailure);
        Assert.True(status.Checkpoints.Completed >= 2, $"expected checkpoints before the failure, got {status.Checkpoints.Completed}");
        watch.AssertRestartedAndRestored(status);
        var expected = SessionCountJob.Expected(count);
        Assert.Equal(SessionCountJob.Keys * (count / 400), expected.Count);
        Assert.Equal(expected, Committed());
    }

    [Fact]
    public async Task Killing_a_silo_mid_job_leaves_the_committed_sessions_exactly_once()
    {
        const long count = 24_000;
        var gate = NewGate(budget: 4_000);
        var parameters = new Dictionary<string, string> { ["count"] = count.ToString(), ["rate"] = "4000", ["output"] = OutputDirectory, [SourceGate.Parameter] = gate.Path };
        var submitted = await Cluster.Jobs.SubmitAsync(JobSubmission.For<SessionCountJob>(2, parameters));
        var watch = Watch(submitted.JobId, gate);

        await Task.Delay(TimeSpan.FromMilliseconds(new Random(20261130).Next(0, 1_500)));
        await KillATaskSiloAndWaitForTheRestartAsync(watch, "numbers");
        gate.Open();
        var status = await watch.WaitForEndAsync();

        Assert.Equal(JobState.Finished, status.State);
        Assert.True(status.Checkpoints.Restarts >= 1);
        Assert.Equal(SessionCountJob.Expected(count), Committed());
    }
}
