using System.Buffers.Binary;
using System.Text;

namespace OrleansStream.Codecs;

/// <summary>
/// A growable byte buffer that record codecs write into. One writer is reused for every batch of a
/// channel, so steady-state encoding allocates only the final payload array.
/// </summary>
public sealed class PayloadWriter
{
    private byte[] _buffer;
    private int _length;

    public PayloadWriter(int initialCapacity = 4096) => _buffer = new byte[Math.Max(16, initialCapacity)];

    public int Length => _length;

    public ReadOnlySpan<byte> WrittenSpan => _buffer.AsSpan(0, _length);

    public void Reset() => _length = 0;

    public byte[] ToArray() => _buffer.AsSpan(0, _length).ToArray();

    public void WriteByte(byte value)
    {
        Ensure(1);
        _buffer[_length++] = value;
    }

    public void WriteVarUInt64(ulong value)
    {
        Ensure(10);
        var buffer = _buffer;
        int i = _length;
        while (value >= 0x80)
        {
            buffer[i++] = (byte)(value | 0x80);
            value >>= 7;
        }

        buffer[i++] = (byte)value;
        _length = i;
    }

    public void WriteVarInt64(long value) => WriteVarUInt64((ulong)((value << 1) ^ (value >> 63)));

    public void WriteVarInt32(int value) => WriteVarInt64(value);

    public void WriteDouble(double value)
    {
        Ensure(8);
        BinaryPrimitives.WriteDoubleLittleEndian(_buffer.AsSpan(_length), value);
        _length += 8;
    }

    public void WriteString(string? value)
    {
        if (value is null)
        {
            WriteVarUInt64(0);
            return;
        }

        // Length prefix is byte count + 1 so that 0 can mean null.
        int max = Encoding.UTF8.GetMaxByteCount(value.Length);
        Ensure(max + 5);
        int prefixAt = _length;
        int prefixSize = max + 1 < 0x80 ? 1 : VarIntSize((ulong)max + 1);
        int written = Encoding.UTF8.GetBytes(value, _buffer.AsSpan(prefixAt + prefixSize));
        int actualPrefix = VarIntSize((ulong)written + 1);
        if (actualPrefix != prefixSize)
        {
            _buffer.AsSpan(prefixAt + prefixSize, written).CopyTo(_buffer.AsSpan(prefixAt + actualPrefix));
        }

        _length = prefixAt;
        WriteVarUInt64((ulong)written + 1);
        _length += written;
    }

    public void WriteBytes(ReadOnlySpan<byte> value)
    {
        WriteVarUInt64((ulong)value.Length);
        Ensure(value.Length);
        value.CopyTo(_buffer.AsSpan(_length));
        _length += value.Length;
    }

    /// <summary>Reserves <paramref name="size"/> bytes and returns them for direct writing.</summary>
    public Span<byte> GetSpan(int size)
    {
        Ensure(size);
        return _buffer.AsSpan(_length, size);
    }

    public void Advance(int count) => _length += count;

    private static int VarIntSize(ulong value)
    {
        int size = 1;
        while (value >= 0x80)
        {
            value >>= 7;
            size++;
        }

        return size;
    }

    private void Ensure(int additional)
    {
        if (_length + additional > _buffer.Length)
        {
            Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, _length + additional));
        }
    }
}
