using OrleansStream.Api;
using OrleansStream.Connectors.Generator;
using OrleansStream.Contracts.Jobs;
using OrleansStream.Functions;
using OrleansStream.Tests.Fixtures;
using OrleansStream.Tests.Model;
using OrleansStream.Time;
using OrleansStream.Windows;

namespace OrleansStream.Tests.Cluster;

/// <summary>
/// Counts per key in windows with allowed lateness; the late elements, read from the side output, are
/// keyed again over the network and counted per key in a second window, so the side output crosses
/// subtasks with its own codec, watermarks and end of input.
/// </summary>
public sealed class LateDataJob : IStreamJob
{
    public const long Count = 6_000;
    public const long Bound = 300;
    public const long Lateness = 400;
    public static readonly OutputTag<(string Key, long Ts)> Late = new("late");

    public static TumblingEventTimeWindows Windows { get; } = TumblingEventTimeWindows.Of(TimeSpan.FromSeconds(1));

    /// <summary>Element i: key k{i % 5}, time i * 10 ms, pushed back by up to 1.3 s for every seventh element.</summary>
    public static (string Key, long Ts) Element(long i) => ($"k{i % 5}", i * 10 - (i % 7 == 0 ? (i * 7_919 % 1_300) : 0));

    public void Build(StreamBuilder builder)
    {
        string bag = builder.Parameters.GetRequired("bag");
        var counts = builder.FromSource(GeneratorSource.FromIndex(Element, Count), "elements").SetParallelism(1)
            .AssignTimestampsAndWatermarks(WatermarkStrategy<(string Key, long Ts)>.ForBoundedOutOfOrderness(TimeSpan.FromMilliseconds(Bound))
                .WithTimestampAssigner(e => e.Ts).WithPerRecordEmission()).SetParallelism(1)
            .KeyBy(e => e.Key)
            .Window(Windows)
            .AllowedLateness(TimeSpan.FromMilliseconds(Lateness))
            .SideOutputLateData(Late)
            .Count("counts");
        counts.SinkTo(new CollectSink<WindowResult<string, long>>(bag + "/counts"), "collect counts");
        counts.GetSideOutput(Late)
            .KeyBy(e => e.Key)
            .Window(TumblingEventTimeWindows.Of(TimeSpan.FromDays(1)))
            .Count("late per key").SetParallelism(2)
            .SinkTo(new CollectSink<WindowResult<string, long>>(bag + "/late"), "collect late").SetParallelism(2);
    }
}

[Collection(ClusterCollection.Name)]
public sealed class LateDataClusterTests(ClusterFixture fixture)
{
    [Fact]
    public async Task Late_elements_on_a_side_output_keyed_over_the_network_are_counted_exactly()
    {
        var bag = Guid.NewGuid().ToString();
        var submitted = await fixture.Jobs.SubmitAsync(JobSubmission.For<LateDataJob>(3, new Dictionary<string, string> { ["bag"] = bag }));
        var status = await JobWatch.Of(fixture.Jobs, submitted.JobId).WaitForEndAsync();

        Assert.True(status.State == JobState.Finished, $"Job ended {status.State}: {status.Failure}");
        var elements = Enumerable.Range(0, (int)LateDataJob.Count).Select(i => LateDataJob.Element(i)).ToList();
        var (results, late) = LatenessModel.Run(elements, LateDataJob.Windows, LateDataJob.Bound, LateDataJob.Lateness);
        Assert.True(late.Count > 0 && results.Any(r => r.Refire), "the input should have late elements and re-fires");

        Assert.Equal(results.Select(r => r.Result).Order(WindowResultOrder.Instance), CollectSink<WindowResult<string, long>>.Contents(bag + "/counts").Order(WindowResultOrder.Instance));
        const long day = 86_400_000;
        Assert.Equal(
            late.GroupBy(e => (e.Key, Day: (long)Math.Floor(e.Ts / (double)day) * day)).Select(g => (g.Key.Key, g.Key.Day, (long)g.Count())).Order(),
            CollectSink<WindowResult<string, long>>.Contents(bag + "/late").Select(r => (r.Key, r.Window.Start, r.Value)).Order());
    }

    private sealed class WindowResultOrder : IComparer<WindowResult<string, long>>
    {
        public static readonly WindowResultOrder Instance = new();

        public int Compare(WindowResult<string, long> x, WindowResult<string, long> y)
        {
            int byStart = x.Window.Start.CompareTo(y.Window.Start);
            int byKey = string.CompareOrdinal(x.Key, y.Key);
            return byStart != 0 ? byStart : byKey != 0 ? byKey : x.Value.CompareTo(y.Value);
        }
    }
}
