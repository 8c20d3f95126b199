using OrleansStream.Operators;
using OrleansStream.Time;

namespace OrleansStream.Tests.Model;

/// <summary>Watermark emission per record and the watermark position a restored subtask resumes from.</summary>
public class TimestampsAndWatermarksTests
{
    private static readonly WatermarkStrategy<long> PerRecord =
        WatermarkStrategy<long>.ForBoundedOutOfOrderness(TimeSpan.FromMilliseconds(3)).WithTimestampAssigner(ts => ts).WithPerRecordEmission();

    private static (TimestampsAndWatermarksOperator<long> Op, EventLog Log, OperatorContext Context) Open(WatermarkStrategy<long> strategy, IReadOnlyList<byte[]>? restored = null)
    {
        var op = new TimestampsAndWatermarksOperator<long>("timestamps", strategy, TimeSpan.FromMinutes(1));
        var log = new EventLog();
        op.Bind(log);
        var context = new OperatorContext("job", 1, "timestamps", 0, 1, 128, new ManualClock(0));
        if (restored is not null)
        {
            context.State.SetRestored(7, restored);
        }

        op.Open(context);
        return (op, log, context);
    }

    private static void Send(TimestampsAndWatermarksOperator<long> op, long ts) => ((IOutput<long>)op).Collect(ts, Watermark.NoTimestamp);

    [Fact]
    public void Per_record_emission_follows_each_record_that_advances_the_watermark()
    {
        var (op, log, _) = Open(PerRecord);
        foreach (long ts in new long[] { 10, 5, 20, 20, 19 })
        {
            Send(op, ts);
        }

        Assert.Equal(["r10", "w6", "r5", "r20", "w16", "r20", "r19"], log.Events);
    }

    [Fact]
    public void A_restored_subtask_emits_the_checkpointed_watermark_before_its_first_record_and_goes_on_from_the_checkpointed_maximum()
    {
        var (before, beforeLog, _) = Open(PerRecord);
        Send(before, 10);
        Send(before, 30);
        var snapshot = before.SnapshotOperatorState(7);
        Send(before, 12);   // after the checkpoint: replayed below

        var (after, afterLog, _) = Open(PerRecord, snapshot);
        Send(after, 12);
        Send(after, 31);

        Assert.Equal(["r10", "w6", "r30", "w26", "r12"], beforeLog.Events);
        Assert.Equal(["w26", "r12", "r31", "w27"], afterLog.Events);
    }

    [Fact]
    public void Periodic_emission_restores_too_and_the_end_of_time_is_not_restored()
    {
        var periodic = WatermarkStrategy<long>.ForBoundedOutOfOrderness(TimeSpan.FromMilliseconds(3)).WithTimestampAssigner(ts => ts);
        var (before, beforeLog, _) = Open(periodic);
        Send(before, 100);
        before.OnProcessingTime(60_000);
        Send(before, 200);   // seen, not yet emitted
        before.ProcessWatermark(Watermark.EndOfTime);
        var snapshot = before.SnapshotOperatorState(7);

        var (after, afterLog, _) = Open(periodic, snapshot);
        after.OnProcessingTime(1);

        Assert.Equal(["r100", "w96", "r200", $"w{Watermark.EndOfTime}"], beforeLog.Events);
        Assert.Equal(["w196"], afterLog.Events);
    }

    [Fact]
    public void Restored_at_a_lower_parallelism_a_subtask_takes_the_lowest_position()
    {
        var (first, _, _) = Open(PerRecord);
        var (second, _, _) = Open(PerRecord);
        Send(first, 50);
        Send(second, 40);

        var (merged, log, _) = Open(PerRecord, [.. first.SnapshotOperatorState(7), .. second.SnapshotOperatorState(7)]);
        Send(merged, 45);

        Assert.Equal(["w36", "r45", "w41"], log.Events);
    }

    /// <summary>Records and watermarks in the order they were emitted.</summary>
    private sealed class EventLog : IOutput<long>
    {
        public List<string> Events { get; } = new();

        public void Collect(long value, long timestamp) => Events.Add($"r{value}");

        public void EmitWatermark(long watermark) => Events.Add($"w{watermark}");

        public void EmitIdle(bool idle) => Events.Add(idle ? "idle" : "active");
    }
}
