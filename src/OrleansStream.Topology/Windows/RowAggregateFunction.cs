using OrleansStream.Codecs;
using OrleansStream.Functions;
using OrleansStream.Topology.Rows;

namespace OrleansStream.Topology.Windows;

/// <summary>
/// Computes all the aggregates of a window step in one accumulator per (key, window). The result is the
/// accumulator itself; <see cref="WindowRowFactory"/> turns it into the output row.
/// </summary>
internal sealed class RowAggregateFunction : IAggregateFunction<Row, RowAccumulator, RowAccumulator>
{
    private readonly AggregateSpec[] _aggregates;
    private readonly int[] _keyFields;
    private readonly int _integerSlots;
    private readonly int _realSlots;

    static RowAggregateFunction()
    {
        // Window state finds its accumulator codec by type; registered before any window operator can ask for it.
        RecordCodec.Register(RowAccumulatorCodec.Instance);
    }

    public RowAggregateFunction(IReadOnlyList<AggregateSpec> aggregates, IReadOnlyList<int> keyFields)
    {
        _aggregates = [.. aggregates];
        _keyFields = [.. keyFields];
        _integerSlots = aggregates.Count(a => !a.UsesReal && a.Kind != AggregateKind.Count);
        _realSlots = aggregates.Count(a => a.UsesReal);
    }

    public RowAccumulator CreateAccumulator() => new(0, new long[_integerSlots], new double[_realSlots], new RowValue[_keyFields.Length]);

    public RowAccumulator Add(Row value, RowAccumulator accumulator)
    {
        bool first = accumulator.Count == 0;
        if (first)
        {
            for (int i = 0; i < _keyFields.Length; i++)
            {
                accumulator.Key[i] = value.Values[_keyFields[i]];
            }
        }

        foreach (var aggregate in _aggregates)
        {
            if (aggregate.Kind == AggregateKind.Count)
            {
                continue;
            }

            if (aggregate.UsesReal)
            {
                double input = aggregate.FieldType == FieldType.Double ? value.GetDouble(aggregate.Field) : value.GetLong(aggregate.Field);
                ref double slot = ref accumulator.Reals[aggregate.Slot];
                slot = first ? input : Combine(aggregate.Kind, slot, input);
            }
            else
            {
                long input = value.GetLong(aggregate.Field);
                ref long slot = ref accumulator.Integers[aggregate.Slot];
                slot = first ? input : Combine(aggregate.Kind, slot, input);
            }
        }

        accumulator.Count++;
        return accumulator;
    }

    public RowAccumulator Merge(RowAccumulator a, RowAccumulator b)
    {
        if (a.Count == 0) return b;
        if (b.Count == 0) return a;
        var merged = new RowAccumulator(a.Count + b.Count, (long[])a.Integers.Clone(), (double[])a.Reals.Clone(), a.Key);
        foreach (var aggregate in _aggregates.Where(x => x.Kind != AggregateKind.Count))
        {
            if (aggregate.UsesReal)
            {
                merged.Reals[aggregate.Slot] = Combine(aggregate.Kind, a.Reals[aggregate.Slot], b.Reals[aggregate.Slot]);
            }
            else
            {
                merged.Integers[aggregate.Slot] = Combine(aggregate.Kind, a.Integers[aggregate.Slot], b.Integers[aggregate.Slot]);
            }
        }

        return merged;
    }

    public RowAccumulator GetResult(RowAccumulator accumulator) => accumulator;

    private static long Combine(AggregateKind kind, long current, long input) => kind switch
    {
        AggregateKind.Min => Math.Min(current, input),
        AggregateKind.Max => Math.Max(current, input),
        _ => current + input,
    };

    private static double Combine(AggregateKind kind, double current, double input) => kind switch
    {
        AggregateKind.Min => Math.Min(current, input),
        AggregateKind.Max => Math.Max(current, input),
        _ => current + input,
    };
}
