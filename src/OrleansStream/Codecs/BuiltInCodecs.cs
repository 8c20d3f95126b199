using OrleansStream.Windows;

namespace OrleansStream.Codecs;

internal sealed class StringCodec : IRecordCodec<string>
{
    public void Write(PayloadWriter writer, string value) => writer.WriteString(value);

    public string Read(ref PayloadReader reader) => reader.ReadString()!;
}

internal sealed class Int32Codec : IRecordCodec<int>
{
    public void Write(PayloadWriter writer, int value) => writer.WriteVarInt64(value);

    public int Read(ref PayloadReader reader) => reader.ReadVarInt32();
}

internal sealed class Int64Codec : IRecordCodec<long>
{
    public void Write(PayloadWriter writer, long value) => writer.WriteVarInt64(value);

    public long Read(ref PayloadReader reader) => reader.ReadVarInt64();
}

internal sealed class DoubleCodec : IRecordCodec<double>
{
    public void Write(PayloadWriter writer, double value) => writer.WriteDouble(value);

    public double Read(ref PayloadReader reader) => reader.ReadDouble();
}

internal sealed class BooleanCodec : IRecordCodec<bool>
{
    public void Write(PayloadWriter writer, bool value) => writer.WriteByte(value ? (byte)1 : (byte)0);

    public bool Read(ref PayloadReader reader) => reader.ReadByte() != 0;
}

internal sealed class DateTimeCodec : IRecordCodec<DateTime>
{
    public void Write(PayloadWriter writer, DateTime value) => writer.WriteVarInt64(value.ToBinary());

    public DateTime Read(ref PayloadReader reader) => DateTime.FromBinary(reader.ReadVarInt64());
}

internal sealed class TimeSpanCodec : IRecordCodec<TimeSpan>
{
    public void Write(PayloadWriter writer, TimeSpan value) => writer.WriteVarInt64(value.Ticks);

    public TimeSpan Read(ref PayloadReader reader) => new(reader.ReadVarInt64());
}

internal sealed class GuidCodec : IRecordCodec<Guid>
{
    public void Write(PayloadWriter writer, Guid value)
    {
        value.TryWriteBytes(writer.GetSpan(16));
        writer.Advance(16);
    }

    public Guid Read(ref PayloadReader reader)
    {
        Span<byte> bytes = stackalloc byte[16];
        for (int i = 0; i < 16; i++) bytes[i] = reader.ReadByte();
        return new Guid(bytes);
    }
}

internal sealed class ByteArrayCodec : IRecordCodec<byte[]>
{
    public void Write(PayloadWriter writer, byte[] value) => writer.WriteBytes(value);

    public byte[] Read(ref PayloadReader reader) => reader.ReadBytes().ToArray();
}

internal sealed class ValueTupleCodec<T1, T2> : IRecordCodec<(T1, T2)>
{
    private readonly IRecordCodec<T1> _first = RecordCodec.For<T1>();
    private readonly IRecordCodec<T2> _second = RecordCodec.For<T2>();

    public void Write(PayloadWriter writer, (T1, T2) value)
    {
        _first.Write(writer, value.Item1);
        _second.Write(writer, value.Item2);
    }

    public (T1, T2) Read(ref PayloadReader reader) => (_first.Read(ref reader), _second.Read(ref reader));
}

internal sealed class ValueTupleCodec<T1, T2, T3> : IRecordCodec<(T1, T2, T3)>
{
    private readonly IRecordCodec<T1> _first = RecordCodec.For<T1>();
    private readonly IRecordCodec<T2> _second = RecordCodec.For<T2>();
    private readonly IRecordCodec<T3> _third = RecordCodec.For<T3>();

    public void Write(PayloadWriter writer, (T1, T2, T3) value)
    {
        _first.Write(writer, value.Item1);
        _second.Write(writer, value.Item2);
        _third.Write(writer, value.Item3);
    }

    public (T1, T2, T3) Read(ref PayloadReader reader)
        => (_first.Read(ref reader), _second.Read(ref reader), _third.Read(ref reader));
}

internal sealed class KeyValuePairCodec<TKey, TValue> : IRecordCodec<KeyValuePair<TKey, TValue>>
{
    private readonly IRecordCodec<TKey> _key = RecordCodec.For<TKey>();
    private readonly IRecordCodec<TValue> _value = RecordCodec.For<TValue>();

    public void Write(PayloadWriter writer, KeyValuePair<TKey, TValue> value)
    {
        _key.Write(writer, value.Key);
        _value.Write(writer, value.Value);
    }

    public KeyValuePair<TKey, TValue> Read(ref PayloadReader reader)
        => new(_key.Read(ref reader), _value.Read(ref reader));
}

internal sealed class WindowResultCodec<TKey, TValue> : IRecordCodec<WindowResult<TKey, TValue>>
{
    private readonly IRecordCodec<TKey> _key = RecordCodec.For<TKey>();
    private readonly IRecordCodec<TValue> _value = RecordCodec.For<TValue>();

    public void Write(PayloadWriter writer, WindowResult<TKey, TValue> value)
    {
        _key.Write(writer, value.Key);
        writer.WriteVarInt64(value.Window.Start);
        writer.WriteVarInt64(value.Window.End);
        _value.Write(writer, value.Value);
    }

    public WindowResult<TKey, TValue> Read(ref PayloadReader reader)
    {
        var key = _key.Read(ref reader);
        var window = new TimeWindow(reader.ReadVarInt64(), reader.ReadVarInt64());
        return new WindowResult<TKey, TValue>(key, window, _value.Read(ref reader));
    }
}

internal sealed class TimeWindowCodec : IRecordCodec<TimeWindow>
{
    public void Write(PayloadWriter writer, TimeWindow value)
    {
        writer.WriteVarInt64(value.Start);
        writer.WriteVarInt64(value.End);
    }

    public TimeWindow Read(ref PayloadReader reader) => new(reader.ReadVarInt64(), reader.ReadVarInt64());
}

internal sealed class VoidNamespaceCodec : IRecordCodec<State.VoidNamespace>
{
    public void Write(PayloadWriter writer, State.VoidNamespace value) { }

    public State.VoidNamespace Read(ref PayloadReader reader) => default;
}
