namespace OrleansStream.Connectors.RateLimit;

/// <summary>A reader that emits at most <c>perSecond</c> records a second, counted from when it started reading.</summary>
internal static class RateSchedule
{
    /// <summary>
    /// The records due by <paramref name="now"/> and not yet emitted: the first at the start, then one every
    /// 1 / <paramref name="perSecond"/> seconds. Negative while the reader is ahead of its schedule.
    /// </summary>
    public static long Due(DateTimeOffset startedAt, DateTimeOffset now, double perSecond, long emitted)
        => (long)Math.Floor(Math.Max(0, (now - startedAt).TotalSeconds) * perSecond) + 1 - emitted;
}
