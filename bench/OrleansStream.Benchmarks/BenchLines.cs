using System.Globalization;
using OrleansStream.Connectors.Files;

namespace OrleansStream.Benchmarks;

/// <summary>
/// Log lines for the pipeline benchmark: record i is at event time i milliseconds (a thousand lines
/// per second of event time) from one of a thousand client IPs. Both the engine and the plain loop
/// make their lines here, so they do the same work.
/// </summary>
internal static class BenchLines
{
    private const int SecondsPerDay = 86_400;
    private static readonly string[] Ips = Enumerable.Range(0, 1000).Select(i => $"10.1.{i / 250}.{i % 250}").ToArray();
    private static readonly string[] Times = Enumerable.Range(0, SecondsPerDay)
        .Select(s => TimeSpan.FromSeconds(s).ToString(@"hh\:mm\:ss", CultureInfo.InvariantCulture) + " ")
        .ToArray();

    public static TextLine Line(long i)
    {
        int ip = (int)(unchecked((ulong)i * 0x9E3779B97F4A7C15UL) % (ulong)Ips.Length);
        return new TextLine("bench", i + 1, string.Concat(Times[(i / 1000) % SecondsPerDay], Ips[ip]));
    }
}
