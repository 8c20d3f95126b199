namespace OrleansStream.Nexmark.Queries;

/// <summary>
/// A q4 result, one update of a category: the count and sum of the winning prices of its auctions closed so far.
/// Kept as integers so that the average is exact; <see cref="Average"/> is SQL's <c>AVG</c> over BIGINT.
/// </summary>
public readonly record struct CategoryAverage(long Category, long Count, long Sum)
{
    /// <summary>The average winning price as Flink SQL's <c>AVG(BIGINT)</c> gives it: a BIGINT, the quotient truncated.</summary>
    public long Average() => Sum / Count;
}
