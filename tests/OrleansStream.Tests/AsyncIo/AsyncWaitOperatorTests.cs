using OrleansStream.Codecs;
using OrleansStream.Operators;
using OrleansStream.Tests.Fixtures;
using OrleansStream.Tests.Model;

namespace OrleansStream.Tests.AsyncIo;

/// <summary>The async I/O operator alone, with calls the test completes, a mailbox it empties and a clock it moves.</summary>
public class AsyncWaitOperatorTests
{
    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(5);

    private sealed class Harness
    {
        public Harness(AsyncOutputMode mode, int capacity = 10, ControlledFunction? function = null, IReadOnlyList<byte[]>? restored = null)
        {
            Function = function ?? new ControlledFunction();
            Operator = new AsyncWaitOperator<int, string>("lookup", Function, mode, CallTimeout, capacity, RecordCodec.For<int>());
            Operator.Bind(Output);
            var context = new OperatorContext("job", 1, "lookup", 0, 1, 128, Clock) { Mailbox = Mailbox };
            if (restored is not null)
            {
                context.State.SetRestored(7, restored);
            }

            Operator.Open(context);
        }

        public ControlledFunction Function { get; }

        public AsyncWaitOperator<int, string> Operator { get; }

        public CollectingOutput<string> Output { get; } = new();

        public ManualMailbox Mailbox { get; } = new();

        public ManualTimeProvider Clock { get; } = new();

        public void Send(int value, long timestamp) => ((IOutput<int>)Operator).Collect(value, timestamp);

        public void Watermark(long watermark) => ((IOutput<int>)Operator).EmitWatermark(watermark);

        /// <summary>Completes the calls for <paramref name="inputs"/> in that order and runs their completions.</summary>
        public async Task CompleteAsync(params int[] inputs)
        {
            foreach (int input in inputs)
            {
                Function.Complete(input);
                await Mailbox.RunAsync(1);
            }
        }
    }

    [Fact]
    public async Task Ordered_mode_emits_in_input_order_with_the_input_timestamps_when_calls_complete_out_of_order()
    {
        var h = new Harness(AsyncOutputMode.Ordered);
        for (int i = 1; i <= 4; i++)
        {
            h.Send(i, 100 + i);
        }

        h.Watermark(104);
        Assert.Equal([1, 2, 3, 4], h.Function.Started);

        await h.CompleteAsync(3, 2);
        Assert.Empty(h.Output.Records);

        await h.CompleteAsync(1);
        Assert.Equal([("r1", 101L), ("r2", 102L), ("r3", 103L)], h.Output.Records);
        Assert.Empty(h.Output.Watermarks);

        var drained = h.Operator.WaitUntilDrainedAsync();
        Assert.False(drained.IsCompleted);
        await h.CompleteAsync(4);
        Assert.Equal(["r1", "r2", "r3", "r4"], h.Output.Values);
        Assert.Equal([104L], h.Output.Watermarks);
        Assert.True(drained.IsCompletedSuccessfully);
    }

    [Fact]
    public async Task Unordered_mode_emits_as_calls_complete_but_never_across_a_watermark()
    {
        var h = new Harness(AsyncOutputMode.Unordered);
        h.Send(1, 1);
        h.Send(2, 2);
        h.Watermark(2);
        h.Send(3, 3);
        h.Send(4, 4);
        h.Watermark(4);
        h.Send(5, 5);

        // 2 leaves before 1; 4 and 3 must wait for the watermark 2, which waits for 1.
        await h.CompleteAsync(2, 4, 5, 3);
        Assert.Equal(["r2"], h.Output.Values);
        Assert.Empty(h.Output.Watermarks);

        await h.CompleteAsync(1);
        Assert.Equal(["r2", "r1", "r4", "r3", "r5"], h.Output.Values);
        Assert.Equal([2L, 4L], h.Output.Watermarks);
        Assert.Equal([("r2", 2L), ("r1", 1L), ("r4", 4L), ("r3", 3L), ("r5", 5L)], h.Output.Records);
    }

    [Fact]
    public async Task A_watermark_with_nothing_pending_passes_at_once()
    {
        var h = new Harness(AsyncOutputMode.Unordered);
        h.Watermark(7);
        h.Send(1, 8);
        await h.CompleteAsync(1);
        h.Watermark(9);

        Assert.Equal([7L, 9L], h.Output.Watermarks);
        Assert.Equal(["r1"], h.Output.Values);
    }

    [Theory]
    [InlineData(AsyncOutputMode.Ordered)]
    [InlineData(AsyncOutputMode.Unordered)]
    public async Task No_more_calls_than_the_capacity_run_at_once_and_the_task_waits_until_there_is_room(AsyncOutputMode mode)
    {
        var h = new Harness(mode, capacity: 3);
        for (int i = 0; i < 10; i++)
        {
            h.Send(i, i);
        }

        Assert.Equal([0, 1, 2], h.Function.Started);
        var room = h.Operator.WaitForCapacityAsync();
        Assert.False(room.IsCompleted);

        // Each completion frees one place, taken by the next waiting record, until none wait.
        for (int i = 0; i < 10; i++)
        {
            await h.CompleteAsync(i);
            Assert.True(h.Function.Running <= 3);
            Assert.Equal(i < 7 ? 3 : 9 - i, h.Operator.InFlight);
            Assert.Equal(i >= 7, room.IsCompleted);
        }

        Assert.Equal(3, h.Function.MaxRunning);
        Assert.Equal(Enumerable.Range(0, 10).Select(i => $"r{i}"), h.Output.Values);
        Assert.True(h.Operator.WaitForCapacityAsync().IsCompletedSuccessfully);
    }

    [Fact]
    public async Task A_timeout_fails_by_default_with_an_error_naming_the_operator()
    {
        var h = new Harness(AsyncOutputMode.Ordered);
        h.Send(1, 1);

        h.Clock.Advance(CallTimeout - TimeSpan.FromMilliseconds(1));
        Assert.Equal(0, h.Mailbox.Queued);
        h.Clock.Advance(TimeSpan.FromMilliseconds(1));

        var error = await Assert.ThrowsAsync<OperatorException>(() => h.Mailbox.RunAsync(1));
        Assert.Equal("lookup", error.OperatorName);
        Assert.Contains("'lookup'", error.Message);
        Assert.IsType<TimeoutException>(error.InnerException);
    }

    [Fact]
    public async Task An_overridden_timeout_emits_the_fallback_in_place_and_a_late_result_is_ignored()
    {
        var h = new Harness(AsyncOutputMode.Ordered, function: new FallbackFunction());
        h.Send(1, 10);
        h.Clock.Advance(TimeSpan.FromSeconds(1));
        h.Send(2, 20);

        // The timeout counts from each call's start: only the first has expired.
        h.Clock.Advance(CallTimeout - TimeSpan.FromSeconds(1));
        await h.Mailbox.RunAsync(1);
        Assert.Equal([("fallback1", 10L)], h.Output.Records);

        await h.CompleteAsync(1, 2);
        Assert.Equal([("fallback1", 10L), ("r2", 20L)], h.Output.Records);
    }

    [Fact]
    public async Task A_failing_call_fails_with_an_error_naming_the_operator()
    {
        var h = new Harness(AsyncOutputMode.Unordered);
        h.Send(1, 1);
        h.Function.Fail(1, new InvalidOperationException("lookup service down"));

        var error = await Assert.ThrowsAsync<OperatorException>(() => h.Mailbox.RunAsync(1));
        Assert.Equal("lookup", error.OperatorName);
        Assert.Contains("lookup service down", error.Message);
    }

    [Fact]
    public async Task The_snapshot_holds_every_record_not_yet_emitted_and_a_restored_operator_calls_for_them_first()
    {
        var before = new Harness(AsyncOutputMode.Ordered, capacity: 2);
        for (int i = 1; i <= 4; i++)
        {
            before.Send(i, 10 * i);
        }

        // 1 is emitted; 3 completed but waits behind 2; 4 was never started.
        await before.CompleteAsync(1, 3);
        Assert.Equal(["r1"], before.Output.Values);
        var snapshot = before.Operator.SnapshotOperatorState(7);
        Assert.Equal(3, snapshot.Count);

        var after = new Harness(AsyncOutputMode.Ordered, capacity: 2, restored: snapshot);
        after.Send(5, 50);
        Assert.Equal([2, 3], after.Function.Started);

        await after.CompleteAsync(3, 2, 4, 5);
        Assert.Equal([2, 3, 4, 5], after.Function.Started);
        Assert.Equal([("r2", 20L), ("r3", 30L), ("r4", 40L), ("r5", 50L)], after.Output.Records);
        Assert.Empty(after.Operator.SnapshotOperatorState(8));
    }

    [Fact]
    public async Task A_restored_operator_whose_task_waits_for_room_before_any_input_starts_its_calls_and_lets_the_task_go_on()
    {
        var before = new Harness(AsyncOutputMode.Ordered, capacity: 2);
        before.Send(1, 10);
        before.Send(2, 20);
        before.Send(3, 30);
        var snapshot = before.Operator.SnapshotOperatorState(7);

        // The task's first wait after the restore, before any element, watermark or tick (a barrier came first).
        var after = new Harness(AsyncOutputMode.Ordered, capacity: 2, restored: snapshot);
        var room = after.Operator.WaitForCapacityAsync();
        Assert.Equal([1, 2], after.Function.Started);
        Assert.False(room.IsCompleted);

        await after.CompleteAsync(1, 2);
        await room;
        Assert.Equal([1, 2, 3], after.Function.Started);

        var drained = after.Operator.WaitUntilDrainedAsync();
        await after.CompleteAsync(3);
        await drained;
        Assert.Equal(["r1", "r2", "r3"], after.Output.Values);
    }

    [Fact]
    public async Task Closing_cancels_running_calls_and_releases_a_waiting_task()
    {
        var tokens = new List<CancellationToken>();
        var function = new TokenRecordingFunction(tokens);
        var op = new AsyncWaitOperator<int, string>("lookup", function, AsyncOutputMode.Ordered, CallTimeout, 1, RecordCodec.For<int>());
        op.Bind(new CollectingOutput<string>());
        op.Open(new OperatorContext("job", 1, "lookup", 0, 1, 128, new ManualTimeProvider()) { Mailbox = new ManualMailbox() });
        ((IOutput<int>)op).Collect(1, 1);
        ((IOutput<int>)op).Collect(2, 2);
        var room = op.WaitForCapacityAsync();

        await op.CloseAsync();

        Assert.True(Assert.Single(tokens).IsCancellationRequested);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await room);
    }

    private sealed class TokenRecordingFunction(List<CancellationToken> tokens) : OrleansStream.Functions.IAsyncFunction<int, string>
    {
        public ValueTask<IReadOnlyCollection<string>> InvokeAsync(int input, CancellationToken cancellationToken)
        {
            tokens.Add(cancellationToken);
            return new ValueTask<IReadOnlyCollection<string>>(new TaskCompletionSource<IReadOnlyCollection<string>>().Task);
        }
    }
}
