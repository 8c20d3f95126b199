using OrleansStream.Functions;
using OrleansStream.Operators;
using OrleansStream.State;
using OrleansStream.Tests.Model;

namespace OrleansStream.Tests.Functions;

/// <summary>
/// Runs one operator instance outside a task (Flink's operator test harness): feeds elements, watermarks and
/// clock ticks, collects the main output and side outputs, and snapshots its keyed state so that a second
/// harness can restore it, as a task does after a failure.
/// </summary>
internal sealed class OperatorHarness<TOut>
{
    private readonly IStreamOperator _operator;
    private readonly OperatorContext _context;

    private OperatorHarness(IStreamOperator op, OperatorContext context)
    {
        _operator = op;
        _context = context;
    }

    public CollectingOutput<TOut> Output { get; } = new();

    public ManualClock Clock { get; private init; } = null!;

    public IStreamOperator Operator => _operator;

    public static OperatorHarness<TOut> OneInput<TIn>(OneInputOperator<TIn, TOut> op, long now = 0, IReadOnlyList<KeyedStateChunk>? restore = null, params ISideOutputProbe[] sides)
    {
        var (clock, context, sideOutputs) = Prepare(restore, now, sides);
        var harness = new OperatorHarness<TOut>(op, context) { Clock = clock };
        op.Bind(harness.Output, sideOutputs);
        op.Open(context);
        return harness;
    }

    public static OperatorHarness<TOut> TwoInput<TIn1, TIn2>(TwoInputOperator<TIn1, TIn2, TOut> op, long now = 0, IReadOnlyList<KeyedStateChunk>? restore = null, params ISideOutputProbe[] sides)
        => TwoInput(op, now, restore, operatorState: null, subtask: 0, parallelism: 1, sides);

    /// <summary>A two-input operator as subtask <paramref name="subtask"/> of <paramref name="parallelism"/>, restored with these operator state items.</summary>
    public static OperatorHarness<TOut> TwoInput<TIn1, TIn2>(
        TwoInputOperator<TIn1, TIn2, TOut> op, long now, IReadOnlyList<KeyedStateChunk>? restore, IReadOnlyList<byte[]>? operatorState, int subtask, int parallelism, params ISideOutputProbe[] sides)
    {
        var (clock, context, sideOutputs) = Prepare(restore, now, sides, subtask, parallelism);
        if (operatorState is not null)
        {
            context.State.SetRestored(1, operatorState);
        }

        var harness = new OperatorHarness<TOut>(op, context) { Clock = clock };
        op.Bind(harness.Output, sideOutputs);
        op.Open(context);
        return harness;
    }

    public void Element<TIn>(TIn value, long timestamp) => ((IOutput<TIn>)_operator).Collect(value, timestamp);

    public void Element1<TIn1, TIn2>(TIn1 value, long timestamp) => ((TwoInputOperator<TIn1, TIn2, TOut>)_operator).Input1.Collect(value, timestamp);

    public void Element2<TIn1, TIn2>(TIn2 value, long timestamp) => ((TwoInputOperator<TIn1, TIn2, TOut>)_operator).Input2.Collect(value, timestamp);

    public void Watermark(long watermark) => ((IWatermarkInput)_operator).ProcessWatermark(watermark);

    /// <summary>Moves the clock to <paramref name="now"/> and ticks the operator, as the task's timer does.</summary>
    public void Tick(long now)
    {
        Clock.Now = now;
        _operator.OnProcessingTime(now);
    }

    /// <summary>The operator's keyed state as a checkpoint would store it.</summary>
    public IReadOnlyList<KeyedStateChunk> Snapshot()
    {
        var builder = new KeyedSnapshotBuilder();
        _context.State.SnapshotKeyedState(builder);
        return builder.Build(1 << 16);
    }

    /// <summary>The operator's operator state items as a checkpoint would store them.</summary>
    public IReadOnlyList<byte[]> SnapshotOperatorState() => ((ICheckpointedOperator)_operator).SnapshotOperatorState(1);

    private static (ManualClock Clock, OperatorContext Context, SideOutputs Sides) Prepare(
        IReadOnlyList<KeyedStateChunk>? restore, long now, ISideOutputProbe[] probes, int subtask = 0, int parallelism = 1)
    {
        var clock = new ManualClock(now);
        var context = new OperatorContext("job", 1, "op", subtask, parallelism, 128, clock) { OperatorId = "op" };
        foreach (var chunk in restore ?? Array.Empty<KeyedStateChunk>())
        {
            KeyedSnapshotBuilder.Restore(chunk.Data, _ => context.State);
        }

        var sides = new SideOutputs();
        foreach (var probe in probes)
        {
            sides.Add(probe.Output);
        }

        return (clock, context, sides);
    }
}

/// <summary>A side output a harness collects.</summary>
internal interface ISideOutputProbe
{
    ISideOutput Output { get; }
}

internal sealed class SideOutputProbe<T>(OutputTag<T> tag) : ISideOutputProbe
{
    public CollectingOutput<T> Collected { get; } = new();

    public ISideOutput Output => new SideOutput<T>(tag.Id, Collected);
}
