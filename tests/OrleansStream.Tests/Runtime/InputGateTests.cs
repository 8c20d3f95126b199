using OrleansStream.Api;
using OrleansStream.Connectors;
using OrleansStream.Runtime.Channels;
using OrleansStream.Time;

namespace OrleansStream.Tests.Runtime;

public class InputGateTests
{
    private sealed class Handler : IInputHandler
    {
        public List<long> Records { get; } = new();

        public List<long> Watermarks { get; } = new();

        public List<bool> Idle { get; } = new();

        public void OnRecords(StreamEnvelope envelope) => Records.Add(envelope.Sequence);

        public void OnWatermark(long watermark) => Watermarks.Add(watermark);

        public void OnIdle(bool idle) => Idle.Add(idle);
    }

    /// <summary>A gate of the map vertex, which reads from two source subtasks.</summary>
    private static InputGate Gate(int attempt = 1)
    {
        var builder = new StreamBuilder(defaultParallelism: 2);
        builder.FromSource(GeneratorSource.FromIndex(i => i, 10), "numbers")
            .Rebalance().Map(x => x, "map").SetParallelism(1)
            .SinkTo(new DiscardingSink<long>());
        return new InputGate(builder.BuildGraph().Vertices[1], subtask: 0, attempt);
    }

    private static StreamEnvelope Envelope(EnvelopeKind kind, int sender, long sequence, long watermark = 0, int attempt = 1)
        => new() { Kind = kind, Input = 0, Sender = sender, Attempt = attempt, Sequence = sequence, Watermark = watermark, RecordCount = 1, Payload = [] };

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
}
