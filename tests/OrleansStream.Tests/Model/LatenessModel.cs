using OrleansStream.Windows;

namespace OrleansStream.Tests.Model;

/// <summary>
/// What keyed count windows with allowed lateness emit, worked out per (key, window) instead of by
/// simulating an operator: the watermark an element meets is what the elements before it allow
/// (highest timestamp - bound - 1); an element meeting a watermark below the window's end - 1 is on
/// time, one at or above it but below end - 1 + lateness re-fires the window, one beyond that for all
/// its windows is late. A window with on-time elements fires once with their count; each re-firing
/// element then emits the count so far.
/// </summary>
internal static class LatenessModel
{
    public static (List<(WindowResult<string, long> Result, bool Refire)> Results, List<(string Key, long Ts)> Late) Run(
        IReadOnlyList<(string Key, long Ts)> events, AlignedWindowAssigner windows, long bound, long lateness)
    {
        var onTime = new Dictionary<(string Key, TimeWindow Window), long>();
        var refires = new Dictionary<(string Key, TimeWindow Window), long>();
        var late = new List<(string Key, long Ts)>();
        long watermark = long.MinValue;
        foreach (var (key, ts) in events)
        {
            bool kept = false;
            foreach (var window in WindowsOf(ts, windows.Size, windows.Slide))
            {
                if (watermark != long.MinValue && window.End - 1 + lateness <= watermark)
                {
                    continue;
                }

                kept = true;
                var counts = watermark != long.MinValue && window.End - 1 <= watermark ? refires : onTime;
                counts[(key, window)] = counts.GetValueOrDefault((key, window)) + 1;
            }

            if (!kept)
            {
                late.Add((key, ts));
            }

            watermark = Math.Max(watermark, ts - bound - 1);
        }

        var results = new List<(WindowResult<string, long>, bool)>();
        foreach (var cell in onTime.Keys.Union(refires.Keys))
        {
            long first = onTime.GetValueOrDefault(cell);
            if (first > 0)
            {
                results.Add((new WindowResult<string, long>(cell.Key, cell.Window, first), false));
            }

            for (long k = 1; k <= refires.GetValueOrDefault(cell); k++)
            {
                results.Add((new WindowResult<string, long>(cell.Key, cell.Window, first + k), true));
            }
        }

        return (results, late);
    }

    private static IEnumerable<TimeWindow> WindowsOf(long ts, long size, long slide)
    {
        long lastStart = (long)Math.Floor(ts / (double)slide) * slide;
        for (long start = lastStart; start + size > ts; start -= slide)
        {
            yield return new TimeWindow(start, start + size);
        }
    }
}
