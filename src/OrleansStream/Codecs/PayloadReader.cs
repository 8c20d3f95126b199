using System.Buffers.Binary;
using System.Text;

namespace OrleansStream.Codecs;

/// <summary>Reads what a <see cref="PayloadWriter"/> wrote.</summary>
public ref struct PayloadReader
{
    private readonly ReadOnlySpan<byte> _span;
    private int _position;

    public PayloadReader(ReadOnlySpan<byte> span)
    {
        _span = span;
        _position = 0;
    }

    public readonly bool End => _position >= _span.Length;

    public readonly int Position => _position;

    public byte ReadByte() => _span[_position++];

    public ulong ReadVarUInt64()
    {
        ulong result = 0;
        int shift = 0;
        byte b;
        do
        {
            if (shift > 63)
            {
                throw new InvalidDataException("Malformed variable-length integer in record payload.");
            }

            b = _span[_position++];
            result |= (ulong)(b & 0x7F) << shift;
            shift += 7;
        }
        while ((b & 0x80) != 0);
        return result;
    }

    public long ReadVarInt64()
    {
        ulong raw = ReadVarUInt64();
        return (long)(raw >> 1) ^ -(long)(raw & 1);
    }

    public int ReadVarInt32() => checked((int)ReadVarInt64());

    public double ReadDouble()
    {
        double value = BinaryPrimitives.ReadDoubleLittleEndian(_span.Slice(_position, 8));
        _position += 8;
        return value;
    }

    public string? ReadString()
    {
        ulong prefix = ReadVarUInt64();
        if (prefix == 0)
        {
            return null;
        }

        int length = checked((int)(prefix - 1));
        string value = Encoding.UTF8.GetString(_span.Slice(_position, length));
        _position += length;
        return value;
    }

    public ReadOnlySpan<byte> ReadBytes()
    {
        int length = checked((int)ReadVarUInt64());
        var value = _span.Slice(_position, length);
        _position += length;
        return value;
    }
}
