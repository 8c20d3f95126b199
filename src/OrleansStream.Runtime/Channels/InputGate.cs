using OrleansStream.Graph;
using OrleansStream.Runtime.Checkpoints;
using OrleansStream.Time;

namespace OrleansStream.Runtime.Channels;

/// <summary>What an input gate tells the task it feeds.</summary>
internal interface IInputHandler
{
    void OnRecords(StreamEnvelope envelope);

    void OnWatermark(long watermark);

    void OnIdle(bool idle);

    /// <summary>The barrier has arrived on every channel that has not ended: snapshot now.</summary>
    void OnBarrier(CheckpointBarrier barrier);

    /// <summary>
    /// Every channel that has not ended has passed the handover marker of rescale step <paramref name="step"/>: no
    /// record of the step's key groups will reach this task any more.
    /// </summary>
    void OnHandover(long step);
}

/// <summary>
/// The receiving side of all of a task's input channels (Flink's InputGate with its barrier handler).
/// It is the channels' one sequencing layer: it restores each channel's order by the envelopes'
/// sequence numbers, drops duplicates and stale envelopes, parks early arrivals (or, on a transport
/// that never reorders, reports them as lost data), and says how far each channel has been processed. It keeps the per-channel watermarks, aligns checkpoint barriers, and tells the task
/// when the combined watermark moves, when a checkpoint's barriers are all in, and when every channel has ended.
/// </summary>
/// <remarks>
/// Alignment (a barrier whose options say aligned: exactly-once): once barrier n has arrived on a
/// channel, that channel's later envelopes are held back until barrier n has arrived on every channel
/// (an ended channel counts as arrived), so the snapshot holds exactly the effect of the records before
/// the barriers. A newer barrier abandons an alignment that never completed (its checkpoint timed out or
/// was abandoned). Without alignment (at-least-once) nothing is held back; the snapshot is taken when the
/// last barrier arrives.
/// </remarks>
internal sealed class InputGate
{
    private readonly Dictionary<(int Input, int Sender), int> _channelIndex = new();
    private long[] _expectedSequence;
    private SortedDictionary<long, StreamEnvelope>?[] _early;
    private bool[] _ended;
    private bool[] _barrierArrived;
    private Queue<StreamEnvelope>?[] _held;
    private bool[] _blocked;

    /// <summary>Per channel, the last rescale step whose handover marker it passed.</summary>
    private long[] _handedOver;
    private readonly WatermarkTracker _watermarks;
    private readonly int _attempt;
    private readonly bool _mayReorder;
    private int _endedCount;
    private bool _idle;
    private CheckpointBarrier? _aligning;

    /// <summary>The newest rescale step whose markers are arriving, and the newest all of them passed.</summary>
    private long _handoverStep;
    private long _handoverDone;

    /// <summary>Every channel waits (a live rescale holds a watermark back until held records' state is in).</summary>
    private bool _suspended;

    /// <summary>The newest checkpoint this gate is done with: taken, or abandoned by the job.</summary>
    private long _lastCompleted;
    private bool _released;

    /// <param name="vertex">The receiving vertex.</param>
    /// <param name="subtask">The receiving subtask.</param>
    /// <param name="attempt">The job's attempt; envelopes of any other are stale.</param>
    /// <param name="mayReorder">Whether the transport may deliver a channel's envelopes out of order (<see cref="IChannelTransport.MayReorder"/>).</param>
    public InputGate(JobVertex vertex, int subtask, int attempt, bool mayReorder)
    {
        _attempt = attempt;
        _mayReorder = mayReorder;
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

        int channels = _channelIndex.Count;
        _expectedSequence = new long[channels];
        _early = new SortedDictionary<long, StreamEnvelope>?[channels];
        _ended = new bool[channels];
        _barrierArrived = new bool[channels];
        _held = new Queue<StreamEnvelope>?[channels];
        _blocked = new bool[channels];
        _handedOver = new long[channels];
        _watermarks = new WatermarkTracker(channels);
    }

    /// <summary>
    /// Adds the channels from the senders <paramref name="senders"/> on input <paramref name="input"/>: the upstream vertex was
    /// scaled up while the job runs. They count for the watermark, barriers and handovers from now on.
    /// </summary>
    public void AddChannels(int input, IEnumerable<int> senders)
    {
        int added = 0;
        foreach (int sender in senders)
        {
            if (_channelIndex.TryAdd((input, sender), _channelIndex.Count))
            {
                added++;
            }
        }

        int count = _channelIndex.Count;
        Array.Resize(ref _expectedSequence, count);
        Array.Resize(ref _early, count);
        Array.Resize(ref _ended, count);
        Array.Resize(ref _barrierArrived, count);
        Array.Resize(ref _held, count);
        Array.Resize(ref _blocked, count);
        Array.Resize(ref _handedOver, count);
        Array.Fill(_handedOver, _handoverDone, count - added, added);
        _watermarks.AddChannels(added);
    }

    public int ChannelCount => _expectedSequence.Length;

    public bool AllEnded => _endedCount == _expectedSequence.Length;

    public long CurrentWatermark => _watermarks.Current;

    /// <summary>Envelopes held back by an alignment in progress.</summary>
    public int HeldEnvelopes => _held.Sum(q => q?.Count ?? 0);

    /// <summary>
    /// Takes an envelope in its channel's order: processes it when it is the channel's next and passes what
    /// it means to <paramref name="handler"/>, parks it when it came early, drops it when it is a duplicate
    /// or of another attempt. Envelopes that came early and are next now are taken by <see cref="TakeNextParked"/>,
    /// one at a time, so that the task can send what each produced before it takes the next.
    /// </summary>
    public void Accept(StreamEnvelope envelope, IInputHandler handler)
    {
        if (envelope.Attempt != _attempt)
        {
            return;
        }

        int channel = ChannelOf(envelope);
        long expected = _expectedSequence[channel];
        if (envelope.Sequence < expected)
        {
            // A resent duplicate.
            return;
        }

        if (envelope.Sequence > expected)
        {
            if (!_mayReorder)
            {
                throw new ChannelGapException(envelope.Input, envelope.Sender, expected, envelope.Sequence);
            }

            (_early[channel] ??= new()).TryAdd(envelope.Sequence, envelope);
            return;
        }

        Take(channel, envelope, handler);
    }

    /// <summary>Whether the next envelope of <paramref name="envelope"/>'s channel came early and waits.</summary>
    public bool HasNextParked(StreamEnvelope envelope)
    {
        if (envelope.Attempt != _attempt)
        {
            return false;
        }

        int channel = ChannelOf(envelope);
        return _early[channel]?.ContainsKey(_expectedSequence[channel]) == true;
    }

    /// <summary>Takes the next envelope of <paramref name="envelope"/>'s channel if it came early and waited.</summary>
    public void TakeNextParked(StreamEnvelope envelope, IInputHandler handler)
    {
        if (envelope.Attempt != _attempt)
        {
            return;
        }

        int channel = ChannelOf(envelope);
        if (_early[channel] is { } early && early.Remove(_expectedSequence[channel], out var next))
        {
            Take(channel, next, handler);
        }
    }

    /// <summary>The highest sequence number of <paramref name="envelope"/>'s channel processed in order (of another attempt: its own): what the sender may forget.</summary>
    public long AcknowledgedOf(StreamEnvelope envelope)
        => envelope.Attempt != _attempt ? envelope.Sequence : _expectedSequence[ChannelOf(envelope)] - 1;

    /// <summary>
    /// The job abandoned <paramref name="checkpointId"/>: stop waiting for its barriers (release what the
    /// alignment held back) and ignore those still to come.
    /// </summary>
    public void AbortCheckpoint(long checkpointId, IInputHandler handler)
    {
        if (checkpointId <= _lastCompleted || checkpointId < (_aligning?.CheckpointId ?? 0))
        {
            return;
        }

        _lastCompleted = checkpointId;
        Unblock();
        ReleaseHeld(handler);
    }

    /// <summary>
    /// Where every channel stands, for the task's next activation on another silo (<see cref="Restore"/>). Call once
    /// suspended, after the snapshot the move restores: what is held back was acknowledged, so it moves too; envelopes
    /// parked early were not, and their senders send them again.
    /// </summary>
    public InputGateState Export()
        => new(
            _channelIndex.Select(channel => new InputChannelState(
                channel.Key.Input,
                channel.Key.Sender,
                _expectedSequence[channel.Value],
                _ended[channel.Value],
                _watermarks.WatermarkOf(channel.Value),
                _watermarks.IsIdle(channel.Value),
                _handedOver[channel.Value],
                _held[channel.Value]?.ToArray() ?? [])).ToList(),
            _lastCompleted,
            _handoverDone);

    /// <summary>
    /// Takes over where <paramref name="state"/> says the channels of the task's previous activation stood; channels it
    /// does not list start afresh, and ones it lists that this gate lacks had ended (their senders were retired). What
    /// it held back is processed on the next <see cref="Resume"/>.
    /// </summary>
    public void Restore(InputGateState state)
    {
        foreach (var saved in state.Channels)
        {
            if (!_channelIndex.TryGetValue((saved.Input, saved.Sender), out int channel))
            {
                continue;
            }

            _expectedSequence[channel] = saved.ExpectedSequence;
            _handedOver[channel] = saved.HandedOver;
            _watermarks.Restore(channel, saved.Watermark, saved.Idle);
            if (saved.Ended)
            {
                _ended[channel] = true;
                _endedCount++;
            }

            if (saved.Held.Count > 0)
            {
                _held[channel] = new Queue<StreamEnvelope>(saved.Held);
            }
        }

        _lastCompleted = state.LastCompletedCheckpoint;
        _handoverStep = _handoverDone = state.HandoverStep;
        _watermarks.Recompute();
        _idle = _watermarks.AllIdle;
        _suspended = true;
    }

    /// <summary>Holds every channel's next envelopes back, in order, until <see cref="Resume"/>.</summary>
    public void Suspend() => _suspended = true;

    /// <summary>Processes what <see cref="Suspend"/> held back, then goes on as before.</summary>
    public void Resume(IInputHandler handler)
    {
        _suspended = false;
        _released = true;
        ReleaseHeld(handler);
    }

    private int ChannelOf(StreamEnvelope envelope)
        => _channelIndex.TryGetValue((envelope.Input, envelope.Sender), out int channel)
            ? channel
            : throw new InvalidOperationException($"Received an envelope from subtask {envelope.Sender} on input {envelope.Input}, which is not a channel of this task.");

    /// <summary>
    /// The next envelope of its channel: processed now, or held back while the channel is blocked by an
    /// alignment; then what an alignment that ended held back.
    /// </summary>
    private void Take(int channel, StreamEnvelope envelope, IInputHandler handler)
    {
        _expectedSequence[channel]++;
        if (_blocked[channel] || _suspended)
        {
            (_held[channel] ??= new Queue<StreamEnvelope>()).Enqueue(envelope);
        }
        else
        {
            Dispatch(channel, envelope, handler);
        }

        ReleaseHeld(handler);
    }

    private void Dispatch(int channel, StreamEnvelope envelope, IInputHandler handler)
    {
        if (_ended[channel])
        {
            throw new InvalidOperationException($"Channel from subtask {envelope.Sender} on input {envelope.Input} sent {envelope.Kind} after its end of input.");
        }

        long combined;
        switch (envelope.Kind)
        {
            case EnvelopeKind.Records:
                handler.OnRecords(envelope);
                return;
            case EnvelopeKind.Barrier:
                OnBarrier(channel, envelope.Barrier ?? throw new InvalidOperationException($"Barrier envelope {envelope.Sequence} from subtask {envelope.Sender} carries no barrier."), handler);
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

                // An ended channel sends no more barriers or markers: it may have been the last one missing.
                TryCompleteAlignment(handler);
                TryCompleteHandover(handler);
                break;
            case EnvelopeKind.KeyGroupHandover:
                _handedOver[channel] = envelope.Step;
                _handoverStep = Math.Max(_handoverStep, envelope.Step);
                TryCompleteHandover(handler);
                return;
        }

        bool allIdle = _watermarks.AllIdle;
        if (allIdle != _idle)
        {
            _idle = allIdle;
            handler.OnIdle(allIdle);
        }
    }

    private void OnBarrier(int channel, CheckpointBarrier barrier, IInputHandler handler)
    {
        long aligning = _aligning?.CheckpointId ?? 0;
        if (barrier.CheckpointId <= _lastCompleted || barrier.CheckpointId < aligning)
        {
            // A barrier of a checkpoint this task already took or abandoned.
            return;
        }

        if (barrier.CheckpointId > aligning)
        {
            Unblock();
            Array.Clear(_barrierArrived);
            _aligning = barrier;
        }

        _barrierArrived[channel] = true;
        _blocked[channel] = barrier.Options.Aligned;
        TryCompleteAlignment(handler);
    }

    private void TryCompleteAlignment(IInputHandler handler)
    {
        if (_aligning is not { } barrier || barrier.CheckpointId <= _lastCompleted)
        {
            return;
        }

        for (int i = 0; i < _barrierArrived.Length; i++)
        {
            if (!_barrierArrived[i] && !_ended[i])
            {
                return;
            }
        }

        _lastCompleted = barrier.CheckpointId;
        handler.OnBarrier(barrier);
        Unblock();
    }

    private void TryCompleteHandover(IInputHandler handler)
    {
        if (_handoverStep <= _handoverDone)
        {
            return;
        }

        for (int i = 0; i < _handedOver.Length; i++)
        {
            if (_handedOver[i] < _handoverStep && !_ended[i])
            {
                return;
            }
        }

        _handoverDone = _handoverStep;
        handler.OnHandover(_handoverStep);
    }

    private void Unblock()
    {
        for (int i = 0; i < _blocked.Length; i++)
        {
            if (_blocked[i])
            {
                _blocked[i] = false;
                _released = true;
            }
        }
    }

    /// <summary>Processes what unblocked channels held back, until a new alignment (or a suspension) blocks them again.</summary>
    private void ReleaseHeld(IInputHandler handler)
    {
        while (_released)
        {
            _released = false;
            for (int channel = 0; channel < _held.Length; channel++)
            {
                var queue = _held[channel];
                while (queue is { Count: > 0 } && !_blocked[channel] && !_suspended)
                {
                    Dispatch(channel, queue.Dequeue(), handler);
                }
            }
        }
    }
}

/// <summary>Envelopes of a channel went missing: the transport lost data, which must not pass silently.</summary>
public sealed class ChannelGapException(int input, int sender, long expected, long received)
    : Exception($"Channel from subtask {sender} on input {input} lost data: expected envelope {expected} but received {received}.");
