using OrleansStream.Graph;
using OrleansStream.Time;

namespace OrleansStream.Runtime.Channels;

/// <summary>What an input gate tells the task it feeds.</summary>
internal interface IInputHandler
{
    void OnRecords(StreamEnvelope envelope);

    void OnWatermark(long watermark);

    void OnIdle(bool idle);
}

/// <summary>
/// The receiving side of all of a task's input channels: checks each envelope's attempt and
/// sequence number (stale and duplicate envelopes are dropped, a gap is an error), keeps the
/// per-channel watermarks and tells the task when the combined watermark moves and when every
/// channel has ended.
/// </summary>
internal sealed class InputGate
{
    private readonly Dictionary<(int Input, int Sender), int> _channelIndex = new();
    private readonly long[] _expectedSequence;
    private readonly bool[] _ended;
    private readonly WatermarkTracker _watermarks;
    private readonly int _attempt;
    private int _endedCount;
    private bool _idle;

    public InputGate(JobVertex vertex, int subtask, int attempt)
    {
        _attempt = attempt;
        foreach (var edge in vertex.Inputs)
        {
            foreach (var sender in edge.SendersOf(subtask))
            {
                _channelIndex.Add((edge.TargetInput, sender), _channelIndex.Count);
            }
        }

        if (_channelIndex.Count == 0)
        {
            throw new InvalidOperationException($"Vertex {vertex} has no input channels.");
        }

        _expectedSequence = new long[_channelIndex.Count];
        _ended = new bool[_channelIndex.Count];
        _watermarks = new WatermarkTracker(_channelIndex.Count);
    }

    public int ChannelCount => _expectedSequence.Length;

    public bool AllEnded => _endedCount == _expectedSequence.Length;

    public long CurrentWatermark => _watermarks.Current;

    /// <summary>Checks an envelope and passes what it means to <paramref name="handler"/>.</summary>
    public void Accept(StreamEnvelope envelope, IInputHandler handler)
    {
        if (envelope.Attempt != _attempt)
        {
            return;
        }

        if (!_channelIndex.TryGetValue((envelope.Input, envelope.Sender), out int channel))
        {
            throw new InvalidOperationException($"Received an envelope from subtask {envelope.Sender} on input {envelope.Input}, which is not a channel of this task.");
        }

        long expected = _expectedSequence[channel];
        if (envelope.Sequence < expected)
        {
            return;
        }

        if (envelope.Sequence > expected)
        {
            throw new ChannelGapException(envelope.Input, envelope.Sender, expected, envelope.Sequence);
        }

        if (_ended[channel])
        {
            throw new InvalidOperationException($"Channel from subtask {envelope.Sender} on input {envelope.Input} sent {envelope.Kind} after its end of input.");
        }

        _expectedSequence[channel] = expected + 1;
        long combined;
        switch (envelope.Kind)
        {
            case EnvelopeKind.Records:
                handler.OnRecords(envelope);
                return;
            case EnvelopeKind.Watermark:
                if (_watermarks.Update(channel, envelope.Watermark, out combined))
                {
                    handler.OnWatermark(combined);
                }

                break;
            case EnvelopeKind.Idle:
                if (_watermarks.MarkIdle(channel, out combined))
                {
                    handler.OnWatermark(combined);
                }

                break;
            case EnvelopeKind.Active:
                if (_watermarks.MarkActive(channel, out combined))
                {
                    handler.OnWatermark(combined);
                }

                break;
            case EnvelopeKind.EndOfInput:
                _ended[channel] = true;
                _endedCount++;
                if (_watermarks.MarkEnded(channel, out combined))
                {
                    handler.OnWatermark(combined);
                }

                break;
        }

        bool allIdle = _watermarks.AllIdle;
        if (allIdle != _idle)
        {
            _idle = allIdle;
            handler.OnIdle(allIdle);
        }
    }
}

/// <summary>Envelopes of a channel went missing: the transport lost data, which must not pass silently.</summary>
public sealed class ChannelGapException(int input, int sender, long expected, long received)
    : Exception($"Channel from subtask {sender} on input {input} lost data: expected envelope {expected} but received {received}.");
