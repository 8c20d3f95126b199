using System.Globalization;

namespace OrleansStream.Tests.Jobs;

/// <summary>
/// The jobs of tests/OrleansStream.UploadedJobs, which the tests upload: the build copies its dll into
/// <c>uploaded-jobs/</c> beside the tests, where neither the tests nor the silos resolve it. The
/// expected outputs are computed here from the generator's rule (order i: customer <c>c{i % 7}</c>,
/// amount <c>i % 100 + 1</c>, at <c>i * 10</c> ms), not with the job's code.
/// </summary>
internal static class UploadedJobsAssembly
{
    public const string FileName = "OrleansStream.UploadedJobs.dll";
    public const string WindowJob = "OrleansStream.UploadedJobs.OrderWindowJob";
    public const string TotalsJob = "OrleansStream.UploadedJobs.OrderTotalsJob";

    public static string Path => System.IO.Path.Combine(AppContext.BaseDirectory, "uploaded-jobs", FileName);

    public static byte[] Read() => File.ReadAllBytes(Path);

    /// <summary>What <c>OrderWindowJob</c> writes: <c>window start,customer,orders,amount,largest</c> per one-second window and customer, sorted.</summary>
    public static List<string> ExpectedWindowTotals(long count)
    {
        var totals = new SortedDictionary<(long Window, string Customer), (long Orders, long Amount, long Largest)>();
        for (long i = 0; i < count; i++)
        {
            var key = (i * 10 / 1000 * 1000, $"c{i % 7}");
            long amount = i % 100 + 1;
            var (orders, sum, largest) = totals.GetValueOrDefault(key);
            totals[key] = (orders + 1, sum + amount, Math.Max(largest, amount));
        }

        return Sorted(totals.Select(t => string.Create(CultureInfo.InvariantCulture, $"{t.Key.Window},{t.Key.Customer},{t.Value.Orders},{t.Value.Amount},{t.Value.Largest}")));
    }

    /// <summary>What <c>OrderTotalsJob</c> commits: one line <c>customer,orders,amount</c> per order, the running total of its customer in order of index.</summary>
    public static List<string> ExpectedRunningTotals(long count)
    {
        var totals = new Dictionary<string, (long Orders, long Amount)>();
        var lines = new List<string>();
        for (long i = 0; i < count; i++)
        {
            string customer = $"c{i % 7}";
            var (orders, amount) = totals.GetValueOrDefault(customer);
            totals[customer] = (orders + 1, amount + i % 100 + 1);
            lines.Add(string.Create(CultureInfo.InvariantCulture, $"{customer},{orders + 1},{amount + i % 100 + 1}"));
        }

        return Sorted(lines);
    }

    public static List<string> Sorted(IEnumerable<string> lines)
    {
        var list = lines.ToList();
        list.Sort(StringComparer.Ordinal);
        return list;
    }
}
