using OrleansStream.Api;
using OrleansStream.Connectors.Discard;
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

    private static VertexStatus Vertex(JobStatus status) => status.Vertices.Single(v => v.Name.StartsWith("costly count", StringComparison.Ordinal));
}
