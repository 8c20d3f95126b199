using System.Globalization;
using OrleansStream.Nexmark.Model;
using OrleansStream.Nexmark.Queries;

namespace OrleansStream.Nexmark.Formats;

/// <summary>
/// The CSV lines (no header, invariant culture, times as epoch milliseconds) that query results are written as,
/// so that runs compare line by line with other implementations:
/// <list type="bullet">
/// <item>q0: <c>auction,bidder,price,dateTime</c></item>
/// <item>q1: <c>auction,bidder,price,dateTime</c> with the price in euros with exactly three decimals, as SQL's
/// DECIMAL(23, 3) prints <c>0.908 * price</c> (e.g. <c>908.000</c>, <c>0.908</c>)</item>
/// <item>q2: <c>auction,price</c></item>
/// <item>q3: <c>name,city,state,auction</c></item>
/// <item>q4: <c>category,average,count,sum</c>, one line per update: the average winning price as SQL's AVG over
/// BIGINT (the quotient truncated), then the count and sum of the winning prices it is of, so that the exact
/// mean can be recomputed and a category's last update is the line with the highest count</item>
/// <item>q5: <c>window_start,window_end,auction,count</c></item>
/// <item>q7: <c>window_start,window_end,auction,bidder,price,dateTime</c></item>
/// <item>q8: <c>id,name,window_start</c></item>
/// </list>
/// </summary>
public static class NexmarkCsv
{
    public static string Q0(Bid bid)
        => string.Create(CultureInfo.InvariantCulture, $"{bid.Auction},{bid.Bidder},{bid.Price},{bid.DateTime}");

    public static string Q1(EuroBid bid)
        => string.Create(CultureInfo.InvariantCulture, $"{bid.Auction},{bid.Bidder},{Thousandths(bid.PriceThousandths)},{bid.DateTime}");

    public static string Q2(AuctionPrice result)
        => string.Create(CultureInfo.InvariantCulture, $"{result.Auction},{result.Price}");

    public static string Q3(LocalItem result)
        => string.Create(CultureInfo.InvariantCulture, $"{result.Name},{result.City},{result.State},{result.Auction}");

    public static string Q4(CategoryAverage result)
        => string.Create(CultureInfo.InvariantCulture, $"{result.Category},{result.Average()},{result.Count},{result.Sum}");

    public static string Q5(AuctionCount result)
        => string.Create(CultureInfo.InvariantCulture, $"{result.WindowStart},{result.WindowEnd},{result.Auction},{result.Count}");

    public static string Q7(HighestBid result)
        => string.Create(CultureInfo.InvariantCulture, $"{result.WindowStart},{result.WindowEnd},{result.Bid.Auction},{result.Bid.Bidder},{result.Bid.Price},{result.Bid.DateTime}");

    public static string Q8(NewUser result)
        => string.Create(CultureInfo.InvariantCulture, $"{result.Id},{result.Name},{result.WindowStart}");

    /// <summary>A count of thousandths as a decimal number with three decimals: 1234567 → "1234.567", -5 → "-0.005".</summary>
    public static string Thousandths(long thousandths)
    {
        // Integer arithmetic only: the digits are exact whatever the magnitude.
        string sign = thousandths < 0 ? "-" : "";
        ulong magnitude = thousandths < 0 ? (ulong)(-(thousandths + 1)) + 1 : (ulong)thousandths;
        return string.Create(CultureInfo.InvariantCulture, $"{sign}{magnitude / 1000}.{magnitude % 1000:D3}");
    }
}
