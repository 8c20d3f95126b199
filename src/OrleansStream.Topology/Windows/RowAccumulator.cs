using OrleansStream.Topology.Rows;

namespace OrleansStream.Topology.Windows;

/// <summary>
/// The state of one (key, window): how many rows it saw, the integer and real slots of its aggregates, and
/// the key's field values (copied from its first row, so the window's output row carries them typed).
/// Changed in place as rows are added: it lives only in the window operator's state.
/// </summary>
public sealed class RowAccumulator
{
    internal RowAccumulator(long count, long[] integers, double[] reals, RowValue[] key)
    {
        Count = count;
        Integers = integers;
        Reals = reals;
        Key = key;
    }

    public long Count { get; internal set; }

    internal long[] Integers { get; }

    internal double[] Reals { get; }

    internal RowValue[] Key { get; }
}
