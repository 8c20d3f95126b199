using OrleansStream.Codecs;
using OrleansStream.Graph;
using OrleansStream.KeyGroups;
using OrleansStream.Operators;
using OrleansStream.Runtime.Checkpoints;
using OrleansStream.Runtime.Rescaling;

namespace OrleansStream.Runtime.Channels;

/// <summary>The non-generic face of a record writer, for the task that drives it.</summary>
internal interface IRecordWriter
{
    long RecordsOut { get; }

    /// <summary>The last watermark sent, <see cref="long.MinValue"/> before the first.</summary>
    long LastWatermark { get; }

    /// <summary>Sends batches whose first record has waited at least the buffer timeout.</summary>
    void FlushOlderThan(long nowMillis, long timeoutMillis);

    void EmitEndOfInput();

    /// <summary>Sends the checkpoint barrier to every channel, after the records before it.</summary>
    void EmitBarrier(CheckpointBarrier barrier);

    /// <summary>The channels records go to: one per target subtask.</summary>
    int ChannelCount { get; }

    /// <summary>Adds channels to the target's new subtasks (scaled up while the job runs); they get the last watermark at once.</summary>
    void AddChannels(IReadOnlyList<OutputChannel> channels);

    /// <summary>
    /// Sends the key groups of <paramref name="step"/> to their new owners from now on, and tells every channel so with a
    /// handover marker after the records before it.
    /// </summary>
    void Reroute(RescaleStep step);

    /// <summary>Ends the channels to target subtasks from <paramref name="parallelism"/> on (scaled down): they get no more records.</summary>
    void RetireChannels(int parallelism);
}

/// <summary>
/// The output of a chain into one edge: picks the target channel of each record by the edge's
/// partitioner, encodes records into that channel's batch, and hands full batches to the channel.
/// Watermarks and idleness go to every channel, after the records before them.
/// </summary>
/// <remarks>
/// A hash edge routes by a table from key group to channel: the ranges of Flink's assignment at first, changed
/// key group by key group when the target vertex is rescaled while the job runs.
/// </remarks>
internal sealed class RecordWriter<T> : IOutput<T>, IRecordWriter
{
    private readonly IRecordCodec<T> _codec;
    private readonly PartitionerKind _partitioner;
    private readonly int[]? _route;
    private OutputChannel[] _channels;
    private PayloadWriter[] _buffers;
    private RecordBatchEncoder<T>[] _encoders;
    private int[] _counts;
    private long[] _openedAt;
    private bool _idle;
    private readonly Func<T, int>? _keyHash;
    private readonly int _maxParallelism;
    private readonly int _batchSize;
    private int _nextChannel;
    private long _recordsOut;
    private long _lastWatermark = long.MinValue;

    public RecordWriter(OutputChannel[] channels, IRecordCodec<T> codec, PartitionerKind partitioner, Func<T, int>? keyHash, int maxParallelism, int batchSize, int senderIndex)
    {
        if (partitioner == PartitionerKind.Hash && keyHash is null)
        {
            throw new ArgumentException("A hash-partitioned edge needs a key hash.", nameof(keyHash));
        }

        _codec = codec;
        _channels = channels;
        _buffers = channels.Select(_ => new PayloadWriter(batchSize * 32)).ToArray();
        _encoders = channels.Select(_ => new RecordBatchEncoder<T>(codec)).ToArray();
        _counts = new int[channels.Length];
        _openedAt = new long[channels.Length];
        _partitioner = partitioner;
        if (partitioner == PartitionerKind.Hash)
        {
            _route = new int[maxParallelism];
            for (int keyGroup = 0; keyGroup < maxParallelism; keyGroup++)
            {
                _route[keyGroup] = KeyGroupRangeAssignment.OperatorIndexForKeyGroup(keyGroup, maxParallelism, channels.Length);
            }
        }

        _keyHash = keyHash;
        _maxParallelism = maxParallelism;
        _batchSize = batchSize;
        _nextChannel = senderIndex % channels.Length;
    }

    public long RecordsOut => _recordsOut;

    public long LastWatermark => _lastWatermark;

    public int ChannelCount => _channels.Length;

    public void Collect(T value, long timestamp)
    {
        _recordsOut++;
        switch (_partitioner)
        {
            case PartitionerKind.Forward:
                Append(0, value, timestamp);
                break;
            case PartitionerKind.Hash:
                Append(_route![KeyGroupRangeAssignment.AssignToKeyGroup(_keyHash!(value), _maxParallelism)], value, timestamp);
                break;
            case PartitionerKind.Rebalance:
                Append(_nextChannel, value, timestamp);
                _nextChannel = _nextChannel + 1 == _channels.Length ? 0 : _nextChannel + 1;
                break;
            default:
                for (int i = 0; i < _channels.Length; i++)
                {
                    Append(i, value, timestamp);
                }

                break;
        }
    }

    public void EmitWatermark(long watermark)
    {
        if (watermark <= _lastWatermark)
        {
            return;
        }

        _lastWatermark = watermark;
        for (int i = 0; i < _channels.Length; i++)
        {
            Seal(i);
            _channels[i].EnqueueControl(EnvelopeKind.Watermark, watermark);
        }
    }

    public void EmitIdle(bool idle)
    {
        _idle = idle;
        for (int i = 0; i < _channels.Length; i++)
        {
            Seal(i);
            _channels[i].EnqueueControl(idle ? EnvelopeKind.Idle : EnvelopeKind.Active);
        }
    }

    public void FlushOlderThan(long nowMillis, long timeoutMillis)
    {
        for (int i = 0; i < _channels.Length; i++)
        {
            if (_counts[i] > 0 && nowMillis - _openedAt[i] >= timeoutMillis)
            {
                Seal(i);
            }
        }
    }

    public void EmitEndOfInput()
    {
        for (int i = 0; i < _channels.Length; i++)
        {
            Seal(i);
            _channels[i].EnqueueControl(EnvelopeKind.EndOfInput);
        }
    }

    public void EmitBarrier(CheckpointBarrier barrier)
    {
        for (int i = 0; i < _channels.Length; i++)
        {
            Seal(i);
            _channels[i].EnqueueBarrier(barrier);
        }
    }

    public void AddChannels(IReadOnlyList<OutputChannel> channels)
    {
        if (_partitioner == PartitionerKind.Forward)
        {
            throw new InvalidOperationException("A forward edge has one channel; its target cannot be rescaled alone.");
        }

        int old = _channels.Length;
        int count = old + channels.Count;
        Array.Resize(ref _channels, count);
        Array.Resize(ref _buffers, count);
        Array.Resize(ref _encoders, count);
        Array.Resize(ref _counts, count);
        Array.Resize(ref _openedAt, count);
        for (int i = old; i < count; i++)
        {
            var channel = _channels[i] = channels[i - old];
            _buffers[i] = new PayloadWriter(_batchSize * 32);
            _encoders[i] = new RecordBatchEncoder<T>(_codec);

            // What the others already know: a new subtask must not hold the target's watermark back longer than needed.
            if (_lastWatermark != long.MinValue)
            {
                channel.EnqueueControl(EnvelopeKind.Watermark, _lastWatermark);
            }

            if (_idle)
            {
                channel.EnqueueControl(EnvelopeKind.Idle);
            }
        }
    }

    public void Reroute(RescaleStep step)
    {
        for (int i = 0; i < _channels.Length; i++)
        {
            Seal(i);
        }

        // A broadcast edge into a keyed vertex routes nothing by key group: it only marks its channels, which the old
        // owner must see passed before it hands the key groups over.
        if (_route is { } route)
        {
            foreach (var move in step.Moves)
            {
                route[move.KeyGroup] = move.To;
            }
        }

        for (int i = 0; i < _channels.Length; i++)
        {
            _channels[i].EnqueueHandover(step.Id);
        }
    }

    public void RetireChannels(int parallelism)
    {
        if (_route is { } route && Array.Exists(route, channel => channel >= parallelism))
        {
            throw new InvalidOperationException($"Key groups are still routed to subtasks at or above {parallelism}; they must move before their channels end.");
        }

        for (int i = parallelism; i < _channels.Length; i++)
        {
            Seal(i);
            _channels[i].EnqueueControl(EnvelopeKind.EndOfInput);
        }

        Array.Resize(ref _channels, parallelism);
        Array.Resize(ref _buffers, parallelism);
        Array.Resize(ref _encoders, parallelism);
        Array.Resize(ref _counts, parallelism);
        Array.Resize(ref _openedAt, parallelism);
        _nextChannel %= parallelism;
    }

    private void Append(int channel, T value, long timestamp)
    {
        if (_counts[channel] == 0)
        {
            _openedAt[channel] = Environment.TickCount64;
        }

        _encoders[channel].Write(_buffers[channel], value, timestamp);
        if (++_counts[channel] == _batchSize)
        {
            Seal(channel);
        }
    }

    private void Seal(int channel)
    {
        if (_counts[channel] == 0)
        {
            return;
        }

        var buffer = _buffers[channel];
        _channels[channel].EnqueueRecords(buffer.ToArray(), _counts[channel]);
        buffer.Reset();
        _encoders[channel].Reset();
        _counts[channel] = 0;
    }
}
