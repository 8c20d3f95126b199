using OrleansStream.Windows;

namespace OrleansStream.Codecs;

/// <summary>
/// The elements a window keeps for an evictor or a process window function, with their timestamps: a count,
/// then per element its timestamp and its value in the element type's own codec.
/// </summary>
internal sealed class WindowElementsCodec<T> : IRecordCodec<List<TimestampedValue<T>>>
{
    private readonly IRecordCodec<T> _element = RecordCodec.For<T>();

    public void Write(PayloadWriter writer, List<TimestampedValue<T>> value)
    {
        writer.WriteVarInt32(value.Count);
        foreach (var element in value)
        {
            writer.WriteVarInt64(element.Timestamp);
            _element.Write(writer, element.Value);
        }
    }

    public List<TimestampedValue<T>> Read(ref PayloadReader reader)
    {
        int count = reader.ReadVarInt32();
        var elements = new List<TimestampedValue<T>>(count);
        for (int i = 0; i < count; i++)
        {
            long timestamp = reader.ReadVarInt64();
            elements.Add(new TimestampedValue<T>(_element.Read(ref reader), timestamp));
        }

        return elements;
    }
}
