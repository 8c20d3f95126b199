using System.Net;

namespace OrleansStream.Topology.Expressions;

/// <summary>Functions that expressions may call besides what DynamicExpresso offers (the .NET types it references).</summary>
internal static class ExpressionFunctions
{
    /// <summary>True for an IPv4 or IPv6 address as <see cref="IPAddress.TryParse(string?, out IPAddress?)"/> reads it, without spaces.</summary>
    public static bool IsIpAddress(string text) => !string.IsNullOrEmpty(text) && !text.Contains(' ') && IPAddress.TryParse(text, out _);

    /// <summary>Epoch milliseconds of a timestamp.</summary>
    public static long EpochMillis(DateTime time) => Rows.RowTime.ToEpochMilliseconds(time);

    /// <summary>The timestamp at epoch milliseconds.</summary>
    public static DateTime FromEpochMillis(long milliseconds) => Rows.RowTime.ToDateTime(milliseconds);

    public static void Register(DynamicExpresso.Interpreter interpreter)
    {
        interpreter.SetFunction(nameof(IsIpAddress), (Func<string, bool>)IsIpAddress);
        interpreter.SetFunction(nameof(EpochMillis), (Func<DateTime, long>)EpochMillis);
        interpreter.SetFunction(nameof(FromEpochMillis), (Func<long, DateTime>)FromEpochMillis);
    }
}
