using OrleansStream.Api;
using OrleansStream.Checkpoints;
using OrleansStream.Connectors.Discard;
using OrleansStream.Connectors.Generator;
using OrleansStream.Runtime.Channels;
using OrleansStream.Runtime.Checkpoints;
using OrleansStream.Time;

namespace OrleansStream.Tests.Runtime;

public class InputGateTests
{
    private sealed class Handler : IInputHandler
    {
        public List<long> Records { get; } = new();

        public List<long> Watermarks { get; } = new();

        public List<bool> Idle { get; } = new();

        /// <summary>Records and barriers in the order the task saw them: "r{sender}.{sequence}", "b{checkpoint}".</summary>
        public List<string> Events { get; } = new();

        public void OnRecords(StreamEnvelope envelope)
        {
            Records.Add(envelope.Sequence);
            Events.Add($"r{envelope.Sender}.{envelope.Sequence}");
        }

        /// <summary>What the task does in the barrier's turn after its snapshot (a task that moves suspends its gate).</summary>
        public Action? AtBarrier { get; set; }

        public void OnBarrier(CheckpointBarrier barrier)
        {
            Events.Add($"b{barrier.CheckpointId}");
            AtBarrier?.Invoke();
        }

        public void OnWatermark(long watermark) => Watermarks.Add(watermark);

        public void OnIdle(bool idle) => Idle.Add(idle);

        public void OnHandover(long step) => Events.Add($"h{step}");
    }

    /// <summary>A gate of the map vertex, which reads from two source subtasks, on a transport that delivers each channel in order or one that may reorder.</summary>
    private static InputGate Gate(int attempt = 1, bool mayReorder = false)
    {
        var builder = new StreamBuilder(defaultParallelism: 2);
        builder.FromSource(GeneratorSource.FromIndex(i => i, 10), "numbers")
            .Rebalance().Map(x => x, "map").SetParallelism(1)
            .SinkTo(new DiscardingSink<long>());
        return new InputGate(builder.BuildGraph().Vertices[1], subtask: 0, attempt, mayReorder);
    }

    private static StreamEnvelope Envelope(EnvelopeKind kind, int sender, long sequence, long watermark = 0, int attempt = 1)
        => new() { Kind = kind, Input = 0, Sender = sender, Attempt = attempt, Sequence = sequence, Watermark = watermark, RecordCount = 1, Payload = [] };

    /// <summary>What a task does with an envelope: takes it, then the early ones it freed, one at a time; replies with the channel's acknowledgement.</summary>
    private static long Deliver(InputGate gate, StreamEnvelope envelope, Handler handler)
    {
        gate.Accept(envelope, handler);
        while (gate.HasNextParked(envelope))
        {
            gate.TakeNextParked(envelope, handler);
        }

        return gate.AcknowledgedOf(envelope);
    }

    private static StreamEnvelope Handover(int sender, long sequence, long step)
        => new() { Kind = EnvelopeKind.KeyGroupHandover, Input = 0, Sender = sender, Attempt = 1, Sequence = sequence, Step = step };

    private static StreamEnvelope Barrier(int sender, long sequence, long checkpointId, CheckpointingMode mode = CheckpointingMode.ExactlyOnce)
        => new() { Kind = EnvelopeKind.Barrier, Input = 0, Sender = sender, Attempt = 1, Sequence = sequence, Barrier = new CheckpointBarrier(checkpointId, CheckpointOptions.Checkpoint(mode)) };

    [Fact]
    public void A_gate_restored_on_another_activation_goes_on_where_the_exported_one_stopped()
    {
        var leaving = Gate();
        var handler = new Handler { AtBarrier = () => leaving.Suspend() };
        Deliver(leaving, Envelope(EnvelopeKind.Watermark, 0, 0, 100), handler);
        Deliver(leaving, Envelope(EnvelopeKind.Watermark, 1, 0, 50), handler);
        Deliver(leaving, Barrier(0, 1, checkpointId: 5), handler);
        Deliver(leaving, Envelope(EnvelopeKind.Records, 0, 2), handler);
        Deliver(leaving, Barrier(1, 1, checkpointId: 5), handler);

        // Stopped at the snapshot: what channel 0 sent after its barrier was acknowledged but not processed, so it moves.
        Assert.Equal(["b5"], handler.Events);
        var state = leaving.Export();
        Assert.Equal(5, state.LastCompletedCheckpoint);
        Assert.Equal([2L], state.Channels.Single(c => c.Sender == 0).Held.Select(e => e.Sequence));

        var arriving = Gate(mayReorder: true);
        arriving.Restore(state);
        var next = new Handler();
        Assert.Equal(50, arriving.CurrentWatermark);

        // Input waits until the task resumes it; a resent envelope is a duplicate, and a stale barrier is ignored.
        Assert.Equal(2, Deliver(arriving, Envelope(EnvelopeKind.Records, 1, 2), next));
        Assert.Equal(2, Deliver(arriving, Barrier(1, 1, checkpointId: 5), next));
        Assert.Empty(next.Events);
        arriving.Resume(next);
        Assert.Equal(["r0.2", "r1.2"], next.Events);

        // An envelope that overtook its resent predecessors waits for them.
        Assert.Equal(2, Deliver(arriving, Envelope(EnvelopeKind.Watermark, 0, 4, 200), next));
        Assert.Equal(4, Deliver(arriving, Envelope(EnvelopeKind.Watermark, 0, 3, 150), next));
        Deliver(arriving, Envelope(EnvelopeKind.Watermark, 1, 3, 120), next);
        Assert.Equal([120L], next.Watermarks);
    }

    [Fact]
    public void Aligned_barriers_hold_back_a_channel_after_its_barrier_until_all_barriers_are_in()
    {
        var gate = Gate();
        var handler = new Handler();
        gate.Accept(Envelope(EnvelopeKind.Records, 0, 0), handler);
        gate.Accept(Barrier(0, 1, checkpointId: 1), handler);
        gate.Accept(Envelope(EnvelopeKind.Records, 0, 2), handler);
        gate.Accept(Envelope(EnvelopeKind.Records, 0, 3), handler);
        gate.Accept(Envelope(EnvelopeKind.Records, 1, 0), handler);
        Assert.Equal(2, gate.HeldEnvelopes);
        gate.Accept(Barrier(1, 1, checkpointId: 1), handler);

        Assert.Equal(["r0.0", "r1.0", "b1", "r0.2", "r0.3"], handler.Events);
        Assert.Equal(0, gate.HeldEnvelopes);
    }

    [Fact]
    public void Barriers_of_an_at_least_once_checkpoint_hold_nothing_back_and_it_is_taken_at_the_last_barrier()
    {
        var gate = Gate();
        var handler = new Handler();
        gate.Accept(Barrier(0, 0, checkpointId: 1, CheckpointingMode.AtLeastOnce), handler);
        gate.Accept(Envelope(EnvelopeKind.Records, 0, 1), handler);
        gate.Accept(Barrier(1, 0, checkpointId: 1, CheckpointingMode.AtLeastOnce), handler);

        Assert.Equal(["r0.1", "b1"], handler.Events);
    }

    [Fact]
    public void An_ended_channel_counts_as_having_delivered_the_barrier()
    {
        var gate = Gate();
        var handler = new Handler();
        gate.Accept(Barrier(0, 0, checkpointId: 4), handler);
        gate.Accept(Envelope(EnvelopeKind.Records, 0, 1), handler);
        Assert.Empty(handler.Events);
        gate.Accept(Envelope(EnvelopeKind.EndOfInput, 1, 0), handler);

        Assert.Equal(["b4", "r0.1"], handler.Events);
    }

    [Fact]
    public void A_newer_barrier_abandons_an_unfinished_alignment_and_releases_what_it_held()
    {
        var gate = Gate();
        var handler = new Handler();
        gate.Accept(Barrier(0, 0, checkpointId: 1), handler);
        gate.Accept(Envelope(EnvelopeKind.Records, 0, 1), handler);
        gate.Accept(Barrier(0, 2, checkpointId: 2), handler);

        // Checkpoint 1 never gets sender 1's barrier (say it timed out); checkpoint 2's barrier does come.
        gate.Accept(Barrier(1, 0, checkpointId: 2), handler);
        Assert.Equal(["r0.1", "b2"], handler.Events);

        // A late barrier of the abandoned checkpoint is ignored.
        gate.Accept(Barrier(1, 1, checkpointId: 1), handler);
        gate.Accept(Envelope(EnvelopeKind.Records, 1, 2), handler);
        Assert.Equal(["r0.1", "b2", "r1.2"], handler.Events);
    }

    [Fact]
    public void An_abandoned_checkpoint_releases_what_its_alignment_held_and_its_late_barriers_are_ignored()
    {
        var gate = Gate();
        var handler = new Handler();
        gate.Accept(Barrier(0, 0, checkpointId: 3), handler);
        gate.Accept(Envelope(EnvelopeKind.Records, 0, 1), handler);
        Assert.Empty(handler.Events);

        gate.AbortCheckpoint(3, handler);
        gate.Accept(Barrier(1, 0, checkpointId: 3), handler);
        gate.Accept(Envelope(EnvelopeKind.Records, 1, 1), handler);

        Assert.Equal(["r0.1", "r1.1"], handler.Events);
    }

    [Fact]
    public void Watermark_is_the_minimum_over_both_senders()
    {
        var gate = Gate();
        var handler = new Handler();
        gate.Accept(Envelope(EnvelopeKind.Watermark, 0, 0, 100), handler);
        Assert.Empty(handler.Watermarks);
        gate.Accept(Envelope(EnvelopeKind.Watermark, 1, 0, 50), handler);
        gate.Accept(Envelope(EnvelopeKind.Watermark, 1, 1, 150), handler);
        Assert.Equal(new long[] { 50, 100 }, handler.Watermarks);
    }

    [Fact]
    public void Duplicates_are_dropped_and_a_gap_is_an_error()
    {
        var gate = Gate();
        var handler = new Handler();
        gate.Accept(Envelope(EnvelopeKind.Records, 0, 0), handler);
        gate.Accept(Envelope(EnvelopeKind.Records, 0, 0), handler);
        Assert.Equal(new long[] { 0 }, handler.Records);

        var error = Assert.Throws<ChannelGapException>(() => gate.Accept(Envelope(EnvelopeKind.Records, 0, 2), handler));
        Assert.Contains("expected envelope 1 but received 2", error.Message);
    }

    [Fact]
    public void Envelopes_of_another_attempt_are_ignored()
    {
        var gate = Gate(attempt: 2);
        var handler = new Handler();
        gate.Accept(Envelope(EnvelopeKind.Records, 0, 0, attempt: 1), handler);
        Assert.Empty(handler.Records);
    }

    [Fact]
    public void An_idle_sender_does_not_hold_back_the_watermark_and_all_idle_is_passed_on()
    {
        var gate = Gate();
        var handler = new Handler();
        gate.Accept(Envelope(EnvelopeKind.Watermark, 0, 0, 100), handler);
        gate.Accept(Envelope(EnvelopeKind.Idle, 1, 0), handler);
        Assert.Equal(new long[] { 100 }, handler.Watermarks);
        Assert.Empty(handler.Idle);

        gate.Accept(Envelope(EnvelopeKind.Idle, 0, 1), handler);
        Assert.Equal(new[] { true }, handler.Idle);
        gate.Accept(Envelope(EnvelopeKind.Active, 1, 1), handler);
        Assert.Equal(new[] { true, false }, handler.Idle);
    }

    [Fact]
    public void End_of_input_on_every_channel_ends_the_gate_at_the_end_of_time()
    {
        var gate = Gate();
        var handler = new Handler();
        gate.Accept(Envelope(EnvelopeKind.EndOfInput, 0, 0), handler);
        Assert.False(gate.AllEnded);
        gate.Accept(Envelope(EnvelopeKind.EndOfInput, 1, 0), handler);
        Assert.True(gate.AllEnded);
        Assert.Equal(Watermark.EndOfTime, handler.Watermarks.Last());
        Assert.Throws<InvalidOperationException>(() => gate.Accept(Envelope(EnvelopeKind.Records, 0, 1), handler));
    }

    [Fact]
    public void On_a_transport_that_reorders_early_envelopes_wait_for_the_gap_and_each_reply_acknowledges_what_was_processed_in_order()
    {
        var gate = Gate(mayReorder: true);
        var handler = new Handler();

        Assert.Equal(-1, Deliver(gate, Envelope(EnvelopeKind.Records, 0, 2), handler));
        Assert.Equal(-1, Deliver(gate, Barrier(0, 1, checkpointId: 1), handler));
        Assert.Empty(handler.Events);
        Assert.Equal(2, Deliver(gate, Envelope(EnvelopeKind.Records, 0, 0), handler));

        // Everything in the channel's order; the record after the barrier is held back by the alignment.
        Assert.Equal(["r0.0"], handler.Events);
        Assert.Equal(1, gate.HeldEnvelopes);
        Assert.Equal(0, Deliver(gate, Barrier(1, 0, checkpointId: 1), handler));
        Assert.Equal(["r0.0", "b1", "r0.2"], handler.Events);
    }

    [Fact]
    public void Resent_envelopes_are_dropped_and_acknowledged_again_and_channels_are_sequenced_independently()
    {
        var gate = Gate(mayReorder: true);
        var handler = new Handler();
        Deliver(gate, Envelope(EnvelopeKind.Records, 0, 0), handler);
        Deliver(gate, Envelope(EnvelopeKind.Records, 0, 1), handler);
        Deliver(gate, Envelope(EnvelopeKind.Records, 1, 0), handler);

        Assert.Equal(1, Deliver(gate, Envelope(EnvelopeKind.Records, 0, 0), handler));
        Assert.Equal(1, Deliver(gate, Envelope(EnvelopeKind.Records, 0, 1), handler));
        Assert.Equal(0, Deliver(gate, Envelope(EnvelopeKind.Records, 1, 0), handler));
        Assert.Equal(["r0.0", "r0.1", "r1.0"], handler.Events);

        // A parked envelope that is resent stays parked once.
        Assert.Equal(0, Deliver(gate, Envelope(EnvelopeKind.Records, 1, 2), handler));
        Assert.Equal(0, Deliver(gate, Envelope(EnvelopeKind.Records, 1, 2), handler));
        Assert.Equal(2, Deliver(gate, Envelope(EnvelopeKind.Records, 1, 1), handler));
        Assert.Equal(["r0.0", "r0.1", "r1.0", "r1.1", "r1.2"], handler.Events);
    }

    [Fact]
    public void Early_envelopes_a_gap_freed_are_taken_one_at_a_time_so_the_task_can_send_between_them()
    {
        var gate = Gate(mayReorder: true);
        var handler = new Handler();
        gate.Accept(Envelope(EnvelopeKind.Records, 0, 1), handler);
        gate.Accept(Envelope(EnvelopeKind.Records, 0, 2), handler);

        var first = Envelope(EnvelopeKind.Records, 0, 0);
        gate.Accept(first, handler);
        Assert.Equal(["r0.0"], handler.Events);
        Assert.Equal(0, gate.AcknowledgedOf(first));

        Assert.True(gate.HasNextParked(first));
        gate.TakeNextParked(first, handler);
        Assert.Equal(["r0.0", "r0.1"], handler.Events);
        gate.TakeNextParked(first, handler);
        Assert.False(gate.HasNextParked(first));
        Assert.Equal(2, gate.AcknowledgedOf(first));
        Assert.Equal(["r0.0", "r0.1", "r0.2"], handler.Events);
    }

    [Fact]
    public void A_handover_completes_once_every_channel_passed_its_marker_and_an_ended_channel_counts_as_passed()
    {
        var gate = Gate();
        var handler = new Handler();
        Deliver(gate, Handover(sender: 0, sequence: 0, step: 3), handler);
        Deliver(gate, Envelope(EnvelopeKind.Records, 1, 0), handler);
        Assert.Equal(["r1.0"], handler.Events);

        Deliver(gate, Handover(sender: 1, sequence: 1, step: 3), handler);
        Assert.Equal(["r1.0", "h3"], handler.Events);

        // The next step: one channel passes its marker, the other ends.
        Deliver(gate, Handover(sender: 0, sequence: 1, step: 4), handler);
        Assert.Equal(["r1.0", "h3"], handler.Events);
        Deliver(gate, Envelope(EnvelopeKind.EndOfInput, 1, 2), handler);
        Assert.Equal(["r1.0", "h3", "h4"], handler.Events);
    }

    [Fact]
    public void Channels_added_by_an_upstream_scale_up_hold_the_watermark_until_they_catch_up_and_count_for_barriers()
    {
        var gate = Gate();
        var handler = new Handler();
        Deliver(gate, Envelope(EnvelopeKind.Watermark, 0, 0, watermark: 10), handler);
        Deliver(gate, Envelope(EnvelopeKind.Watermark, 1, 0, watermark: 20), handler);
        Assert.Equal([10], handler.Watermarks);

        gate.AddChannels(input: 0, [0, 1, 2]);
        Assert.Equal(3, gate.ChannelCount);
        Deliver(gate, Envelope(EnvelopeKind.Watermark, 0, 1, watermark: 30), handler);
        Assert.Equal([10], handler.Watermarks);
        Deliver(gate, Envelope(EnvelopeKind.Watermark, 2, 0, watermark: 25), handler);
        Assert.Equal([10, 20], handler.Watermarks);

        Deliver(gate, Barrier(0, 2, checkpointId: 1, CheckpointingMode.AtLeastOnce), handler);
        Deliver(gate, Barrier(1, 1, checkpointId: 1, CheckpointingMode.AtLeastOnce), handler);
        Assert.DoesNotContain("b1", handler.Events);
        Deliver(gate, Barrier(2, 1, checkpointId: 1, CheckpointingMode.AtLeastOnce), handler);
        Assert.Contains("b1", handler.Events);
    }
}
