using System.Globalization;

namespace OrleansStream.Benchmarks;

/// <summary>Distinct dotted-quad client IPs, one per number below 2^24.</summary>
internal static class BenchIps
{
    public static string Of(long key)
        => string.Create(CultureInfo.InvariantCulture, $"10.{(key >> 16) & 255}.{(key >> 8) & 255}.{key & 255}");
}
