using System.Collections.Concurrent;

namespace OrleansStream.Benchmarks;

/// <summary>
/// Pacing for <see cref="KeyedCountJob"/>: records below the fill count are due at once; record
/// <c>fill + n</c> is due n / rate seconds after the first record past the fill was asked for. The
/// start of the trickle is kept per run in this process (the silos run here), and pacing only delays
/// records, so a replayed split still produces the same records.
/// </summary>
internal static class TrickleAfterFill
{
    private static readonly ConcurrentDictionary<string, long> TrickleStart = new();

    public static long NotBefore(string run, long index, long fill, double recordsPerSecond)
    {
        if (index < fill)
        {
            return 0;
        }

        long start = TrickleStart.GetOrAdd(run, _ => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        return start + (long)((index - fill) * 1000 / recordsPerSecond);
    }
}
