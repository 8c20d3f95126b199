using OrleansStream.Codecs;

namespace OrleansStream.Connectors.Postgres;

/// <summary>
/// Encodes the parameter values of staged rows for the checkpoint: a type tag and the value, so that a row is
/// inserted after a restore with the same CLR types (and so the same PostgreSQL parameter types) as it was written.
/// </summary>
internal static class PostgresValueCodec
{
    /// <summary>The CLR types a row may hold, for error messages.</summary>
    public const string SupportedTypes =
        "null, string, bool, short, int, long, float, double, decimal, DateTime, DateTimeOffset, Guid, byte[], TimeSpan, DateOnly, TimeOnly";

    private enum Tag : byte
    {
        Null,
        String,
        Boolean,
        Int16,
        Int32,
        Int64,
        Single,
        Double,
        Decimal,
        DateTime,
        DateTimeOffset,
        Guid,
        Bytes,
        TimeSpan,
        DateOnly,
        TimeOnly,
    }

    public static bool IsSupported(object? value)
        => value is null or DBNull or string or bool or short or int or long or float or double or decimal
            or DateTime or DateTimeOffset or Guid or byte[] or TimeSpan or DateOnly or TimeOnly;

    /// <summary>Writes a value; returns false (writing nothing) for a type that is not <see cref="IsSupported">supported</see>.</summary>
    public static bool TryWrite(PayloadWriter writer, object? value)
    {
        switch (value)
        {
            case null or DBNull:
                writer.WriteByte((byte)Tag.Null);
                break;
            case string text:
                writer.WriteByte((byte)Tag.String);
                writer.WriteString(text);
                break;
            case bool flag:
                writer.WriteByte((byte)Tag.Boolean);
                writer.WriteByte(flag ? (byte)1 : (byte)0);
                break;
            case short number:
                writer.WriteByte((byte)Tag.Int16);
                writer.WriteVarInt64(number);
                break;
            case int number:
                writer.WriteByte((byte)Tag.Int32);
                writer.WriteVarInt64(number);
                break;
            case long number:
                writer.WriteByte((byte)Tag.Int64);
                writer.WriteVarInt64(number);
                break;
            case float number:
                writer.WriteByte((byte)Tag.Single);
                writer.WriteDouble(number);
                break;
            case double number:
                writer.WriteByte((byte)Tag.Double);
                writer.WriteDouble(number);
                break;
            case decimal number:
                writer.WriteByte((byte)Tag.Decimal);
                foreach (int part in decimal.GetBits(number))
                {
                    writer.WriteVarInt32(part);
                }

                break;
            case DateTime time:
                writer.WriteByte((byte)Tag.DateTime);
                writer.WriteByte((byte)time.Kind);
                writer.WriteVarInt64(time.Ticks);
                break;
            case DateTimeOffset time:
                // Npgsql writes a DateTimeOffset only as timestamptz, and only with offset 0: store the same instant in UTC,
                // or the commit (long after the record) would fail.
                writer.WriteByte((byte)Tag.DateTimeOffset);
                writer.WriteVarInt64(time.UtcTicks);
                break;
            case Guid id:
                writer.WriteByte((byte)Tag.Guid);
                id.TryWriteBytes(writer.GetSpan(16));
                writer.Advance(16);
                break;
            case byte[] bytes:
                writer.WriteByte((byte)Tag.Bytes);
                writer.WriteBytes(bytes);
                break;
            case TimeSpan span:
                writer.WriteByte((byte)Tag.TimeSpan);
                writer.WriteVarInt64(span.Ticks);
                break;
            case DateOnly date:
                writer.WriteByte((byte)Tag.DateOnly);
                writer.WriteVarInt32(date.DayNumber);
                break;
            case TimeOnly time:
                writer.WriteByte((byte)Tag.TimeOnly);
                writer.WriteVarInt64(time.Ticks);
                break;
            default:
                return false;
        }

        return true;
    }

    /// <summary>Reads a value; <see cref="DBNull.Value"/> for null, as a parameter needs it.</summary>
    public static object Read(ref PayloadReader reader)
    {
        var tag = (Tag)reader.ReadByte();
        return tag switch
        {
            Tag.Null => DBNull.Value,
            Tag.String => reader.ReadString() ?? (object)DBNull.Value,
            Tag.Boolean => reader.ReadByte() != 0,
            Tag.Int16 => checked((short)reader.ReadVarInt64()),
            Tag.Int32 => reader.ReadVarInt32(),
            Tag.Int64 => reader.ReadVarInt64(),
            Tag.Single => (float)reader.ReadDouble(),
            Tag.Double => reader.ReadDouble(),
            Tag.Decimal => new decimal([reader.ReadVarInt32(), reader.ReadVarInt32(), reader.ReadVarInt32(), reader.ReadVarInt32()]),
            Tag.DateTime => ReadDateTime(ref reader),
            Tag.DateTimeOffset => new DateTimeOffset(reader.ReadVarInt64(), TimeSpan.Zero),
            Tag.Guid => ReadGuid(ref reader),
            Tag.Bytes => reader.ReadBytes().ToArray(),
            Tag.TimeSpan => new TimeSpan(reader.ReadVarInt64()),
            Tag.DateOnly => DateOnly.FromDayNumber(reader.ReadVarInt32()),
            Tag.TimeOnly => new TimeOnly(reader.ReadVarInt64()),
            _ => throw new InvalidDataException($"Unknown value tag {(byte)tag}."),
        };
    }

    private static DateTime ReadDateTime(ref PayloadReader reader)
    {
        var kind = (DateTimeKind)reader.ReadByte();
        return new DateTime(reader.ReadVarInt64(), kind);
    }

    private static Guid ReadGuid(ref PayloadReader reader)
    {
        Span<byte> bytes = stackalloc byte[16];
        for (int i = 0; i < 16; i++)
        {
            bytes[i] = reader.ReadByte();
        }

        return new Guid(bytes);
    }
}
