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
public sealed class RecordBatchDecoder<T>(IRecordCodec<T> codec, IOutput<T> target) : IPayloadDecoder
{
    public int Decode(ReadOnlySpan<byte> payload, int count)
    {
        var reader = new PayloadReader(payload);
        long timestamp = 0;
        for (int i = 0; i < count; i++)
        {
            timestamp = unchecked(timestamp + reader.ReadVarInt64());
            target.Collect(codec.Read(ref reader), timestamp);
        }

        if (!reader.End)
        {
            throw new InvalidDataException($"Record payload has {payload.Length - reader.Position} bytes left after {count} records: the sender's and receiver's codecs disagree.");
        }

        return count;
    }
}
