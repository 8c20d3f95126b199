using OrleansStream.KeyGroups;
using OrleansStream.Operators;

namespace OrleansStream.Codecs;

/// <summary>
/// Encodes records with their timestamps into a batch payload: per record the timestamp as a
/// zig-zag delta from the previous one (small for ordered streams), then the codec's bytes.
/// </summary>
public sealed class RecordBatchEncoder<T>(IRecordCodec<T> codec)
{
    private long _previousTimestamp;

    public void Write(PayloadWriter writer, T value, long timestamp)
    {
        writer.WriteVarInt64(unchecked(timestamp - _previousTimestamp));
        _previousTimestamp = timestamp;
        codec.Write(writer, value);
    }

    /// <summary>Starts a new batch: deltas restart from zero.</summary>
    public void Reset() => _previousTimestamp = 0;
}

/// <summary>Decodes a batch payload and pushes each record into the chain's head.</summary>
public interface IPayloadDecoder
{
    /// <summary>Decodes <paramref name="count"/> records; returns how many were pushed.</summary>
    int Decode(ReadOnlySpan<byte> payload, int count);
}

/// <inheritdoc />
/// <remarks>
/// On a hash-partitioned input (<paramref name="keyHash"/> given) it can hold back the records of key groups
/// a subtask takes over until their state has arrived (<see cref="IKeyGroupHoldingDecoder"/>); otherwise, and
/// while nothing is held, each record goes straight to the target.
/// </remarks>
public sealed class RecordBatchDecoder<T>(IRecordCodec<T> codec, IOutput<T> target, Func<T, int>? keyHash = null) : IPayloadDecoder, IKeyGroupHoldingDecoder
{
    private KeyGroupHold? _hold;
    private Dictionary<int, List<(T Value, long Timestamp)>>? _held;

    public int Decode(ReadOnlySpan<byte> payload, int count)
    {
        var reader = new PayloadReader(payload);
        long timestamp = 0;
        for (int i = 0; i < count; i++)
        {
            timestamp = unchecked(timestamp + reader.ReadVarInt64());
            var value = codec.Read(ref reader);
            if (_hold is { Count: > 0 } hold && HoldBack(hold, value, timestamp))
            {
                continue;
            }

            target.Collect(value, timestamp);
        }

        if (!reader.End)
        {
            throw new InvalidDataException($"Record payload has {payload.Length - reader.Position} bytes left after {count} records: the sender's and receiver's codecs disagree.");
        }

        return count;
    }

    public bool IsKeyed => keyHash is not null;

    public void HoldBy(KeyGroupHold hold)
        => _hold = keyHash is null ? throw new InvalidOperationException("Only a hash-partitioned input knows its records' key groups.") : hold;

    public int Release(int keyGroup)
    {
        if (_held is null || !_held.Remove(keyGroup, out var records))
        {
            return 0;
        }

        _hold!.CountHeld(keyGroup, -records.Count);
        foreach (var (value, timestamp) in records)
        {
            target.Collect(value, timestamp);
        }

        return records.Count;
    }

    private bool HoldBack(KeyGroupHold hold, T value, long timestamp)
    {
        int keyGroup = KeyGroupRangeAssignment.AssignToKeyGroup(keyHash!(value), hold.MaxParallelism);
        if (!hold.IsHeld(keyGroup))
        {
            return false;
        }

        _held ??= new();
        if (!_held.TryGetValue(keyGroup, out var records))
        {
            _held[keyGroup] = records = new();
        }

        records.Add((value, timestamp));
        hold.CountHeld(keyGroup, 1);
        return true;
    }
}
