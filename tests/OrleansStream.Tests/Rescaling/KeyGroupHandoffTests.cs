using OrleansStream.Api;
using OrleansStream.Codecs;
using OrleansStream.Connectors.Generator;
using OrleansStream.Connectors.Print;
using OrleansStream.Functions;
using OrleansStream.Graph;
using OrleansStream.Operators;
using OrleansStream.Runtime.Rescaling;
using OrleansStream.Runtime.Tasks;
using OrleansStream.Tests.Model;
using OrleansStream.Time;
using OrleansStream.Windows;

namespace OrleansStream.Tests.Rescaling;

/// <summary>
/// Two subtasks of a keyed window vertex, one handing all its key groups over to the other, driven the way their
/// task grains drive them: records and watermarks in, hand-off out and in. Event time must go on from the old owner's.
/// </summary>
public class KeyGroupHandoffTests
{
    private const int Step = 1;
    private static readonly OutputTag<(string Ip, long Ts)> Late = new("late");

    private readonly JobGraph _graph = WindowGraph();
    private readonly List<KeyGroupsInstalled> _installed = new();

    [Fact]
    public void A_record_the_old_owner_would_find_late_is_late_at_a_new_owner_whose_watermark_was_behind()
    {
        var (oldChain, oldOwner, oldNetwork) = Subtask(0);
        var (newChain, newOwner, newNetwork) = Subtask(1);

        // The old owner fires and purges [0 s, 10 s) of ip1; the new owner has not seen that watermark yet.
        Send(oldChain, ("ip1", 1_000));
        Assert.False(oldOwner.OnWatermark(12_000));
        Assert.False(newOwner.OnWatermark(5_000));

        var step = EveryKeyGroupFrom0To1();
        newOwner.Prepare(step);
        oldOwner.Prepare(step);

        // Rerouted records wait for their state; a watermark that would overtake them waits with them (and the input).
        Send(newChain, ("ip1", 2_000), ("ip1", 15_000));
        Assert.True(newOwner.OnWatermark(9_000));

        var handoff = Assert.Single(oldOwner.HandOver(Step));
        Assert.Equal(1, handoff.To);
        Assert.Equal(12_000, handoff.Handoff.Watermark);
        Assert.True(newOwner.Install(handoff.Handoff));

        // State is in, but the new owner's event time (9 s) is behind the old owner's (12 s): the records still wait.
        Assert.True(newOwner.IsTakingOver);
        Assert.Empty(_installed);
        Assert.False(newOwner.OnWatermark(11_000));
        Assert.Empty(_installed);

        // At 12 s they go, and meet the old owner's event time: 2 s is late, as it was there; 15 s counts in [10 s, 20 s).
        Assert.False(newOwner.OnWatermark(20_000));
        Assert.False(newOwner.IsTakingOver);
        var installed = Assert.Single(_installed);
        Assert.Equal((Step, 2L), (installed.Step, installed.HeldRecords));

        Assert.Equal([Window(0, 1)], oldNetwork.Of<WindowResult<string, long>>("results").Values);
        Assert.Equal([Window(10_000, 1)], newNetwork.Of<WindowResult<string, long>>("results").Values);
        Assert.Equal([2_000L], newNetwork.Of<long>("late times").Values);
        Assert.Equal([5_000, 9_000, 11_000, 12_000, 20_000], newNetwork.Of<WindowResult<string, long>>("results").Watermarks);
    }

    [Fact]
    public void A_new_owner_ahead_of_the_old_one_lets_the_records_go_as_soon_as_the_state_is_in()
    {
        var (oldChain, oldOwner, _) = Subtask(0);
        var (newChain, newOwner, newNetwork) = Subtask(1);
        Send(oldChain, ("ip1", 11_000));
        Assert.False(oldOwner.OnWatermark(8_000));
        Assert.False(newOwner.OnWatermark(9_000));

        var step = EveryKeyGroupFrom0To1();
        newOwner.Prepare(step);
        oldOwner.Prepare(step);
        Send(newChain, ("ip1", 12_000));

        Assert.False(newOwner.Install(Assert.Single(oldOwner.HandOver(Step)).Handoff));
        Assert.False(newOwner.IsTakingOver);
        Assert.Equal(1L, Assert.Single(_installed).HeldRecords);
        Assert.False(newOwner.OnWatermark(Watermark.EndOfTime));
        Assert.Equal([Window(10_000, 2)], newNetwork.Of<WindowResult<string, long>>("results").Values);
    }

    private RescaleStep EveryKeyGroupFrom0To1()
        => new(Step, _graph.Vertices[1].Id, Enumerable.Range(0, _graph.MaxParallelism).Select(keyGroup => new KeyGroupMove(keyGroup, From: 0, To: 1)).ToList());

    private static WindowResult<string, long> Window(long start, long count) => new("ip1", new TimeWindow(start, start + 10_000), count);

    /// <summary>A keyed tumbling event-time count with its late records in a side output.</summary>
    private static JobGraph WindowGraph()
    {
        var b = new StreamBuilder(defaultParallelism: 2);
        var counts = b.FromSource(GeneratorSource.FromIndex<(string Ip, long Ts)>(i => ("ip1", i), 10), "visits")
            .AssignTimestampsAndWatermarks(WatermarkStrategy<(string Ip, long Ts)>.ForMonotonousTimestamps().WithTimestampAssigner(v => v.Ts))
            .KeyBy(v => v.Ip)
            .Window(TumblingEventTimeWindows.Of(TimeSpan.FromSeconds(10)))
            .SideOutputLateData(Late)
            .Count("count");
        counts.SinkTo(new PrintSink<WindowResult<string, long>>(), "results").SetParallelism(1);
        counts.GetSideOutput(Late).Map(v => v.Ts, "late time").SinkTo(new PrintSink<long>(), "late times").SetParallelism(1);
        return b.BuildGraph();
    }

    private (OperatorChain Chain, SubtaskRescaling Rescaling, CollectingNetwork Network) Subtask(int index)
    {
        var vertex = _graph.Vertices[1];
        var network = new CollectingNetwork();
        var chain = OperatorChain.Create(vertex, network);
        chain.CreateContexts(node => new OperatorContext("job", 1, node.Name, index, 2, _graph.MaxParallelism, TimeProvider.System) { OperatorId = node.Uid });
        chain.Open();
        var task = new TaskId("job", 1, vertex.Id, index);
        return (chain, new SubtaskRescaling(task, chain, _graph.MaxParallelism, chunkBytes: 1 << 16, _installed.Add), network);
    }

    /// <summary>Records as a batch from the network, through the chain's input decoder.</summary>
    private static void Send(OperatorChain chain, params (string Ip, long Ts)[] records)
    {
        var writer = new PayloadWriter();
        var encoder = new RecordBatchEncoder<(string Ip, long Ts)>(RecordCodec.For<(string Ip, long Ts)>());
        foreach (var record in records)
        {
            encoder.Write(writer, record, record.Ts);
        }

        chain.InputDecoders[0].Decode(writer.WrittenSpan, records.Length);
    }
}
