namespace OrleansStream.UploadedJobs;

/// <summary>
/// An order of the generator. A class with settable properties, so that the engine encodes it with
/// its JSON codec (records of up to four members get a compiled codec instead): the tests check
/// that the codec's caches let an unloaded job's types go.
/// </summary>
public sealed class Order
{
    public string Customer { get; set; } = "";

    public long Amount { get; set; }

    public long Count { get; set; }

    /// <summary>Event time, in milliseconds.</summary>
    public long Timestamp { get; set; }

    public string Note { get; set; } = "";

    /// <summary>Order <paramref name="index"/>: customer <c>c{index % 7}</c>, amount <c>index % 100 + 1</c>, at <c>index * 10</c> ms. The tests compute their expected output from this rule.</summary>
    public static Order At(long index) => new()
    {
        Customer = $"c{index % 7}",
        Amount = index % 100 + 1,
        Count = 1,
        Timestamp = index * 10,
        Note = "uploaded",
    };
}

/// <summary>The running totals of one customer in one window: the window aggregate's accumulator, kept in keyed state.</summary>
public sealed class CustomerTotals
{
    public long Orders { get; set; }

    public long Amount { get; set; }

    public long LargestOrder { get; set; }

    public string Customer { get; set; } = "";

    public string Source { get; set; } = "";
}

/// <summary>A window's key: a positional record, which the engine encodes with a codec it compiles for the type (its key hash too).</summary>
public sealed record CustomerKey(string Customer);
