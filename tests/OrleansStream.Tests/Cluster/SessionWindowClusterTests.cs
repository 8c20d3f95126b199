using OrleansStream.Api;
using OrleansStream.Connectors.Generator;
using OrleansStream.Contracts.Jobs;
using OrleansStream.Contracts.Rescaling;
using OrleansStream.Functions;
using OrleansStream.Tests.Fixtures;
using OrleansStream.Tests.Windows;
using OrleansStream.Time;
using OrleansStream.Windows;

namespace OrleansStream.Tests.Cluster;

/// <summary>
/// Session windows with allowed lateness at parallelism 3: a count per key and session, and the late elements
/// on a side output. One source subtask emits a watermark after every element, so each window subtask meets its
/// keys' elements and the watermarks in the order a reference model can follow exactly.
/// </summary>
public sealed class SessionWindowJob : IStreamJob
{
    public const long Count = 6_000;
    public const long Bound = 300;
    public const long Gap = 100;
    public const long Lateness = 400;
    public static readonly OutputTag<(string Key, long Ts)> Late = new("late");

    /// <summary>Element i: key k{i % 5}, time i * 10 ms plus a 1 s pause every 200 elements (sessions end there), every seventh pushed back by up to 1.3 s.</summary>
    public static (string Key, long Ts) Element(long i) => ($"k{i % 5}", i * 10 + i / 200 * 1_000 - (i % 7 == 0 ? i * 7_919 % 1_300 : 0));

    public void Build(StreamBuilder builder)
    {
        string bag = builder.Parameters.GetRequired("bag");
        var sessions = builder.FromSource(GeneratorSource.FromIndex(Element, Count).GatedBy(builder.Parameters.Get(SourceGate.Parameter)), "elements").SetParallelism(1)
            .AssignTimestampsAndWatermarks(WatermarkStrategy<(string Key, long Ts)>.ForBoundedOutOfOrderness(TimeSpan.FromMilliseconds(Bound))
                .WithTimestampAssigner(e => e.Ts).WithPerRecordEmission()).SetParallelism(1)
            .KeyBy(e => e.Key)
            .Window(EventTimeSessionWindows.WithGap(TimeSpan.FromMilliseconds(Gap)))
            .AllowedLateness(TimeSpan.FromMilliseconds(Lateness))
            .SideOutputLateData(Late)
            .Count("sessions");
        sessions.SinkTo(new CollectSink<WindowResult<string, long>>(bag + "/sessions"), "collect sessions");
        sessions.GetSideOutput(Late).SinkTo(new CollectSink<(string Key, long Ts)>(bag + "/late"), "collect late");
    }

    /// <summary>The steps the window operator meets: each element, then the watermark it lets through (highest time - bound - 1).</summary>
    public static List<Step> Steps()
    {
        var steps = new List<Step>();
        long max = long.MinValue;
        for (long i = 0; i < Count; i++)
        {
            var (key, ts) = Element(i);
            steps.Add(Step.Element(key, ts));
            max = Math.Max(max, ts);
            steps.Add(Step.Watermark(max - Bound - 1));
        }

        steps.Add(Step.Watermark(Watermark.EndOfTime));
        return steps;
    }
}

[Collection(ClusterCollection.Name)]
public sealed class SessionWindowClusterTests(ClusterFixture fixture)
{
    [Fact]
    public async Task Session_windows_at_parallelism_three_emit_exactly_the_reference_models_sessions_and_late_elements()
    {
        var bag = Guid.NewGuid().ToString();
        var submitted = await fixture.Jobs.SubmitAsync(JobSubmission.For<SessionWindowJob>(3, new Dictionary<string, string> { ["bag"] = bag }));
        var status = await JobWatch.Of(fixture.Jobs, submitted.JobId).WaitForEndAsync();

        Assert.True(status.State == JobState.Finished, $"Job ended {status.State}: {status.Failure}");
        var (results, late) = SessionModel.Run(SessionWindowJob.Steps(), SessionWindowJob.Gap, SessionWindowJob.Lateness);
        var expected = results.SelectMany(r => r).ToList();
        Assert.True(late.Count > 0 && expected.Count > 5 * SessionWindowJob.Count / 200, "the input should have late elements and many sessions");
        Assert.True(expected.GroupBy(r => (r.Key, r.Window.Start)).Any(g => g.Count() > 1), "late elements within the lateness should re-fire sessions");

        Assert.Equal(Sorted(expected), Sorted(CollectSink<WindowResult<string, long>>.Contents(bag + "/sessions")));
        Assert.Equal(late.Select(e => (e.Key, e.Ts)).Order(), CollectSink<(string Key, long Ts)>.Contents(bag + "/late").Order());
    }

    [Fact]
    public async Task Session_windows_rescaled_live_up_and_down_mid_stream_emit_exactly_the_reference_models_sessions_and_late_elements()
    {
        var bag = Guid.NewGuid().ToString();
        using var gate = SourceGate.Create(budget: SessionWindowJob.Count / 3);
        var submitted = await fixture.Jobs.SubmitAsync(JobSubmission.For<SessionWindowJob>(2, new Dictionary<string, string> { ["bag"] = bag, [SourceGate.Parameter] = gate.Path }));
        var watch = JobWatch.Of(fixture.Jobs, submitted.JobId, gate: gate);
        await watch.WaitUntilAsync(s => s.RecordsOf("elements") == SessionWindowJob.Count / 3, "the source was held at a third of its input");

        // Session state, merging windows and their timers move; late elements decided on either side of a move stay late.
        var vertices = new Dictionary<string, int> { ["sessions"] = 3 };
        var up = await fixture.Jobs.RescaleAsync(submitted.JobId, RescaleRequest.ForVertices(vertices), JobWatch.Patience);
        gate.Allow(2 * SessionWindowJob.Count / 3);
        vertices["sessions"] = 1;
        var down = await fixture.Jobs.RescaleAsync(submitted.JobId, RescaleRequest.ForVertices(vertices), JobWatch.Patience);
        gate.Open();
        var status = await watch.WaitForEndAsync();

        Assert.True(status.State == JobState.Finished, $"Job ended {status.State}: {status.Failure}");
        Assert.Equal([RescaleMode.Live, RescaleMode.Live], new[] { up.Mode, down.Mode });
        Assert.True(up.KeyGroupsMoved > 0 && down.KeyGroupsMoved > 0);
        var (results, late) = SessionModel.Run(SessionWindowJob.Steps(), SessionWindowJob.Gap, SessionWindowJob.Lateness);
        Assert.Equal(Sorted(results.SelectMany(r => r).ToList()), Sorted(CollectSink<WindowResult<string, long>>.Contents(bag + "/sessions")));
        Assert.Equal(late.Select(e => (e.Key, e.Ts)).Order(), CollectSink<(string Key, long Ts)>.Contents(bag + "/late").Order());
    }

    private static List<(string, long, long, long)> Sorted(IEnumerable<WindowResult<string, long>> results)
        => results.Select(r => (r.Key, r.Window.Start, r.Window.End, r.Value)).Order().ToList();
}
