using OrleansStream.Topology.Rows;
using OrleansStream.Windows;

namespace OrleansStream.Topology.Windows;

/// <summary>
/// Makes a window's output row: <c>window_start</c>, <c>window_end</c>, the key fields, then the aggregates
/// in the order the step names them.
/// </summary>
internal sealed class WindowRowFactory(IReadOnlyList<AggregateSpec> aggregates, int keyCount)
{
    public const string WindowStart = "window_start";
    public const string WindowEnd = "window_end";

    private readonly AggregateSpec[] _aggregates = [.. aggregates];

    public static RowSchema Schema(RowSchema input, IReadOnlyList<int> keyFields, IReadOnlyList<AggregateSpec> aggregates)
        => new([
            new RowField(WindowStart, FieldType.Timestamp),
            new RowField(WindowEnd, FieldType.Timestamp),
            .. keyFields.Select(k => input[k]),
            .. aggregates.Select(a => new RowField(a.Name, a.ResultType)),
        ]);

    public Row Create(string key, TimeWindow window, RowAccumulator accumulator)
    {
        var row = new Row(2 + keyCount + _aggregates.Length);
        row.SetTimestamp(0, window.Start);
        row.SetTimestamp(1, window.End);
        Array.Copy(accumulator.Key, 0, row.Values, 2, keyCount);
        int index = 2 + keyCount;
        foreach (var aggregate in _aggregates)
        {
            switch (aggregate.Kind)
            {
                case AggregateKind.Count:
                    row.SetLong(index, accumulator.Count);
                    break;
                case AggregateKind.Avg:
                    row.SetDouble(index, accumulator.Reals[aggregate.Slot] / accumulator.Count);
                    break;
                default:
                    if (aggregate.UsesReal)
                    {
                        row.SetDouble(index, accumulator.Reals[aggregate.Slot]);
                    }
                    else
                    {
                        row.SetLong(index, accumulator.Integers[aggregate.Slot]);
                    }

                    break;
            }

            index++;
        }

        return row;
    }
}
