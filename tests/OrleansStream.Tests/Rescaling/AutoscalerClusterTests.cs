using OrleansStream.Api;
using OrleansStream.Connectors.Discard;
using OrleansStream.Connectors.Files;
using OrleansStream.Connectors.Generator;
using OrleansStream.Contracts.Jobs;
using OrleansStream.Contracts.Rescaling;
using OrleansStream.Functions;
using OrleansStream.State;
using OrleansStream.Tests.Cluster;
using OrleansStream.Tests.Fixtures;
using Xunit.Abstractions;

namespace OrleansStream.Tests.Rescaling;

/// <summary>
/// A keyed count whose records cost a fixed time each while the gate's "heavy" signal is up: 100 records a second at
/// 8 ms each keep one subtask 80 % busy whatever the machine (the cost is slept, not computed), so the autoscaler's
/// decisions follow the load step, not the machine's speed. Below saturation, so that no backlog builds up in the
/// channels for a rescale's markers to wait behind.
/// </summary>
public sealed class LoadStepJob : IStreamJob
{
    public const string Heavy = "heavy";

    public void Build(StreamBuilder builder)
    {
        var parameters = builder.Parameters;
        string gate = parameters.GetRequired(SourceGate.Parameter);
        builder.EnableCheckpointing(TimeSpan.FromMilliseconds(500));
        builder.Autoscaling.Enabled = true;
        builder.Autoscaling.TargetUtilization = 0.5;
        builder.Autoscaling.UtilizationBoundary = 0.15;
        builder.Autoscaling.MetricWindow = TimeSpan.FromSeconds(2);
        builder.Autoscaling.Stabilization = TimeSpan.FromSeconds(2);
        builder.FromSource(GeneratorSource.FromIndex(i => i, null).WithRateLimit(parameters.GetDouble("rate", 100)), "ticks").SetParallelism(1)
            .KeyBy(i => i % 64)
            .Process(new CostlyCount(gate, parameters.GetInt64("cost-ms", 8)), "costly count")
            .SinkTo(new DiscardingSink<long>(), "discard");
    }

    private sealed class CostlyCount(string gate, long costMillis) : KeyedProcessFunction<long, long, long>
    {
        private IValueState<long> _count = null!;

        public override void Open(RuntimeContext context) => _count = context.State.GetValueState<long>("count");

        public override void ProcessElement(long value, KeyedProcessContext<long> context, ICollector<long> output)
        {
            if (SourceGate.IsSignaledAt(gate, Heavy))
            {
                Thread.Sleep(TimeSpan.FromMilliseconds(costMillis));
            }

            _count.Update(_count.Value + 1);
            output.Collect(_count.Value);
        }
    }
}

/// <summary>
/// A rolling count of the numbers in the files of a directory (one split each), read at a fixed cost per line (slept,
/// not computed, as in <see cref="LoadStepJob"/>): one reader falls behind whatever the machine, and the autoscaler
/// sizes the source by its backlog. Exactly-once into part files.
/// </summary>
public sealed class BacklogJob : IStreamJob
{
    public void Build(StreamBuilder builder)
    {
        var parameters = builder.Parameters;
        builder.EnableCheckpointing(TimeSpan.FromMilliseconds(500));
        builder.Autoscaling.Enabled = true;
        builder.Autoscaling.TargetUtilization = 0.5;
        builder.Autoscaling.UtilizationBoundary = 0.2;
        builder.Autoscaling.MetricWindow = TimeSpan.FromSeconds(2);
        builder.Autoscaling.Stabilization = TimeSpan.FromSeconds(2);
        builder.Autoscaling.CatchUpDuration = TimeSpan.FromSeconds(5);
        builder.Autoscaling.MaxRescalesPerHour = 1;
        builder.FromSource(FileSource.Lines(Path.Combine(parameters.GetRequired("input"), "*.txt")), "numbers")
            .Map(line =>
            {
                Thread.Sleep(1);
                return long.Parse(line, System.Globalization.CultureInfo.InvariantCulture);
            }, "costly parse")
            .Map(i => (Key: i % RollingCountJob.Keys, Count: 1L), "one")
            .KeyBy(t => t.Key)
            .Reduce((a, b) => (a.Key, a.Count + b.Count), "rolling count")
            .SinkTo(FileSink.ForRowFormat<(long Key, long Count)>(parameters.GetRequired("output"), t => $"{t.Key},{t.Count}"), "committed output");
    }
}

/// <summary>The autoscaler on the three-silo cluster: a load step up makes it scale a keyed vertex up live, a step down back.</summary>
[Collection(PostgresCollection.Name)]
public sealed class AutoscalerClusterTests(PostgresServer postgres, ITestOutputHelper output) : RecoveryClusterTest(postgres, output, "autoscaler")
{
    [Fact]
    public async Task A_load_step_up_scales_the_busy_keyed_vertex_up_live_and_a_step_down_scales_it_back()
    {
        var gate = NewGate();
        var job = await Cluster.Jobs.SubmitAsync(JobSubmission.For<LoadStepJob>(1, new Dictionary<string, string> { [SourceGate.Parameter] = gate.Path }));
        var watch = Watch(job.JobId);

        // 100 records a second at 8 ms: 0.8 s of work a second, above the band around 0.5: two subtasks, 0.4 each.
        gate.Signal(LoadStepJob.Heavy);
        var up = await watch.WaitUntilAsync(s => Vertex(s).Parallelism >= 2 && s.Rescaling is null, "the autoscaler scaled the busy vertex up");
        Assert.All(up.Rescales!, r => Assert.Equal((RescaleTrigger.Autoscaler, RescaleMode.Live, RescaleState.Completed), (r.Trigger, r.Mode, r.State)));
        Assert.Contains("costly count busy", up.Rescales![0].Reason);
        Output.WriteLine(string.Join("\n", up.Rescales!.Select(r => $"{string.Join(", ", r.Vertices)}: {r.Reason}")));

        // Nearly free: one subtask is plenty.
        gate.Withdraw(LoadStepJob.Heavy);
        var down = await watch.WaitUntilAsync(s => Vertex(s).Parallelism == 1 && s.Rescaling is null, "the autoscaler scaled the idle vertex back to 1");
        var last = down.Rescales![^1];
        Output.WriteLine($"{string.Join(", ", last.Vertices)}: {last.Reason}");
        Assert.Equal((RescaleTrigger.Autoscaler, RescaleState.Completed), (last.Trigger, last.State));
        Assert.Equal(1, down.Attempt);
        Assert.Equal(0, down.Checkpoints.Restarts);
        await Cluster.Jobs.CancelAsync(job.JobId);
    }

    [Fact]
    public async Task A_source_that_falls_behind_is_scaled_up_live_by_its_backlog_and_the_committed_counts_are_exact()
    {
        // Four files, four splits, 12,000 lines at 1 ms each: one reader needs 12 s, far behind a 5 s catch-up.
        const int files = 4;
        const long count = 12_000;
        string input = Path.Combine(OutputDirectory + "-input");
        Directory.CreateDirectory(input);
        for (int f = 0; f < files; f++)
        {
            await File.WriteAllLinesAsync(Path.Combine(input, $"numbers-{f}.txt"), Enumerable.Range(0, (int)(count / files)).Select(i => (f * (count / files) + i).ToString()));
        }

        var job = await Cluster.Jobs.SubmitAsync(JobSubmission.For<BacklogJob>(1, new Dictionary<string, string> { ["input"] = input, ["output"] = OutputDirectory }));
        var status = await Watch(job.JobId).WaitForEndAsync();

        var rescale = Assert.Single(status.Rescales ?? []);
        Output.WriteLine($"{string.Join(", ", rescale.Vertices)}: {rescale.Reason}");
        Assert.Equal((RescaleTrigger.Autoscaler, RescaleMode.Live, RescaleState.Completed), (rescale.Trigger, rescale.Mode, rescale.State));
        Assert.True(rescale.SplitsMoved > 0, "the new readers should have been handed files");
        var source = Assert.Single(rescale.Vertices, v => v.Vertex.StartsWith("Source: numbers", StringComparison.Ordinal));
        Assert.Equal(1, source.From);
        Assert.InRange(source.To, 2, files);
        Assert.Contains("pending", rescale.Reason);
        Assert.Equal(JobState.Finished, status.State);
        Assert.Equal((1, 0), (status.Attempt, status.Checkpoints.Restarts));
        Assert.Equal(RollingCountJob.Expected(count), Committed());
        Directory.Delete(input, recursive: true);
    }

    private static VertexStatus Vertex(JobStatus status) => status.Vertices.Single(v => v.Name.StartsWith("costly count", StringComparison.Ordinal));
}
