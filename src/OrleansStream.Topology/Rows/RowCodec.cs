using OrleansStream.Codecs;

namespace OrleansStream.Topology.Rows;

/// <summary>
/// Writes rows of one schema by position: integers and timestamps as zig-zag varints, doubles as 8 bytes,
/// booleans as a byte, strings UTF-8 with a length. No field names, no type tags: both sides know the schema.
/// </summary>
public sealed class RowCodec : IRecordCodec<Row>
{
    private readonly FieldType[] _types;

    public RowCodec(RowSchema schema) => _types = schema.Fields.Select(f => f.Type).ToArray();

    public void Write(PayloadWriter writer, Row value)
    {
        var values = value.Values;
        for (int i = 0; i < _types.Length; i++)
        {
            switch (_types[i])
            {
                case FieldType.String:
                    writer.WriteString(values[i].Text ?? string.Empty);
                    break;
                case FieldType.Double:
                    writer.WriteDouble(BitConverter.Int64BitsToDouble(values[i].Bits));
                    break;
                case FieldType.Bool:
                    writer.WriteByte(values[i].Bits != 0 ? (byte)1 : (byte)0);
                    break;
                default:
                    writer.WriteVarInt64(values[i].Bits);
                    break;
            }
        }
    }

    public Row Read(ref PayloadReader reader)
    {
        var row = new Row(_types.Length);
        var values = row.Values;
        for (int i = 0; i < _types.Length; i++)
        {
            switch (_types[i])
            {
                case FieldType.String:
                    values[i].Text = reader.ReadString();
                    break;
                case FieldType.Double:
                    values[i].Bits = BitConverter.DoubleToInt64Bits(reader.ReadDouble());
                    break;
                case FieldType.Bool:
                    values[i].Bits = reader.ReadByte();
                    break;
                default:
                    values[i].Bits = reader.ReadVarInt64();
                    break;
            }
        }

        return row;
    }
}
