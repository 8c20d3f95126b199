namespace OrleansStream.Topology.Rows;

/// <summary>Timestamps are epoch milliseconds in rows and UTC <see cref="DateTime"/>s in expressions.</summary>
public static class RowTime
{
    public static DateTime ToDateTime(long epochMilliseconds)
        => new(DateTime.UnixEpoch.Ticks + epochMilliseconds * TimeSpan.TicksPerMillisecond, DateTimeKind.Utc);

    /// <summary>A local time is converted to UTC; an unspecified one is taken as UTC.</summary>
    public static long ToEpochMilliseconds(DateTime time)
    {
        long ticks = (time.Kind == DateTimeKind.Local ? time.ToUniversalTime() : time).Ticks - DateTime.UnixEpoch.Ticks;
        long milliseconds = ticks / TimeSpan.TicksPerMillisecond;
        return ticks < 0 && ticks % TimeSpan.TicksPerMillisecond != 0 ? milliseconds - 1 : milliseconds;
    }
}
