using OrleansStream.Codecs;
using OrleansStream.Topology.Rows;

namespace OrleansStream.Topology.Windows;

/// <summary>
/// Writes accumulators into window state snapshots. State codecs are resolved by type alone
/// (<see cref="RecordCodec.For{T}"/>), without the schema, so the layout describes itself: lengths first.
/// </summary>
internal sealed class RowAccumulatorCodec : IRecordCodec<RowAccumulator>
{
    public static readonly RowAccumulatorCodec Instance = new();

    public void Write(PayloadWriter writer, RowAccumulator value)
    {
        writer.WriteVarInt64(value.Count);
        writer.WriteVarInt32(value.Integers.Length);
        foreach (long integer in value.Integers)
        {
            writer.WriteVarInt64(integer);
        }

        writer.WriteVarInt32(value.Reals.Length);
        foreach (double real in value.Reals)
        {
            writer.WriteDouble(real);
        }

        writer.WriteVarInt32(value.Key.Length);
        foreach (var key in value.Key)
        {
            writer.WriteVarInt64(key.Bits);
            writer.WriteString(key.Text);
        }
    }

    public RowAccumulator Read(ref PayloadReader reader)
    {
        long count = reader.ReadVarInt64();
        var integers = new long[reader.ReadVarInt32()];
        for (int i = 0; i < integers.Length; i++)
        {
            integers[i] = reader.ReadVarInt64();
        }

        var reals = new double[reader.ReadVarInt32()];
        for (int i = 0; i < reals.Length; i++)
        {
            reals[i] = reader.ReadDouble();
        }

        var key = new RowValue[reader.ReadVarInt32()];
        for (int i = 0; i < key.Length; i++)
        {
            key[i].Bits = reader.ReadVarInt64();
            key[i].Text = reader.ReadString();
        }

        return new RowAccumulator(count, integers, reals, key);
    }
}
