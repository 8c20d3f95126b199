using OrleansStream.Functions;
using OrleansStream.State;

namespace OrleansStream.Nexmark.Queries;

/// <summary>
/// q4's second stage, keyed by category: the count and sum of the winning prices so far, emitted as an update
/// with every closed auction. The last update of a category is the SQL query's final row for it.
/// </summary>
public sealed class CategoryAverages : KeyedProcessFunction<long, WinningPrice, CategoryAverage>
{
    private IValueState<(long Count, long Sum)> _totals = null!;

    public override void Open(RuntimeContext context) => _totals = context.State.GetValueState<(long Count, long Sum)>("totals");

    public override void ProcessElement(WinningPrice winning, KeyedProcessContext<long> context, ICollector<CategoryAverage> output)
    {
        var (count, sum) = _totals.TryGetValue(out var totals) ? totals : (0, 0);
        totals = (count + 1, checked(sum + winning.Price));
        _totals.Update(totals);
        output.Collect(new CategoryAverage(winning.Category, totals.Count, totals.Sum));
    }
}
