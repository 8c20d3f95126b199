using OrleansStream.Codecs;
using OrleansStream.Graph;
using OrleansStream.KeyGroups;
using OrleansStream.Operators;
using OrleansStream.Runtime.Checkpoints;

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
}

/// <summary>
/// The output of a chain into one edge: picks the target channel of each record by the edge's
/// partitioner, encodes records into that channel's batch, and hands full batches to the channel.
/// Watermarks and idleness go to every channel, after the records before them.
/// </summary>
internal sealed class RecordWriter<T> : IOutput<T>, IRecordWriter
{
    private readonly OutputChannel[] _channels;
    private readonly PayloadWriter[] _buffers;
    private readonly RecordBatchEncoder<T>[] _encoders;
    private readonly int[] _counts;
    private readonly long[] _openedAt;
    private readonly PartitionerKind _partitioner;
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

        _channels = channels;
        _buffers = channels.Select(_ => new PayloadWriter(batchSize * 32)).ToArray();
        _encoders = channels.Select(_ => new RecordBatchEncoder<T>(codec)).ToArray();
        _counts = new int[channels.Length];
        _openedAt = new long[channels.Length];
        _partitioner = partitioner;
        _keyHash = keyHash;
        _maxParallelism = maxParallelism;
        _batchSize = batchSize;
        _nextChannel = senderIndex % channels.Length;
    }

    public long RecordsOut => _recordsOut;

    public long LastWatermark => _lastWatermark;

    public void Collect(T value, long timestamp)
    {
        _recordsOut++;
        switch (_partitioner)
        {
            case PartitionerKind.Forward:
                Append(0, value, timestamp);
                break;
            case PartitionerKind.Hash:
                Append(KeyGroupRangeAssignment.AssignKeyToOperator(_keyHash!(value), _maxParallelism, _channels.Length), value, timestamp);
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
