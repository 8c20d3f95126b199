using System.IO.Hashing;
using System.Runtime.InteropServices;
using OrleansStream.Codecs;

namespace OrleansStream.KeyGroups;

/// <summary>
/// A key hash that is the same in every process and on every run. <see cref="object.GetHashCode"/> is
/// randomised per process for strings, and a key must land in the same key group on every silo and
/// after every restore.
/// </summary>
public static class StableKeyHash<TKey>
{
    private static readonly Func<TKey, int> Hasher = CreateHasher();

    public static int Hash(TKey key) => Hasher(key);

    private static Func<TKey, int> CreateHasher()
    {
        var type = typeof(TKey);
        if (type == typeof(string)) return (Func<TKey, int>)(object)new Func<string, int>(HashString);
        if (type == typeof(int)) return (Func<TKey, int>)(object)new Func<int, int>(v => v);
        if (type == typeof(long)) return (Func<TKey, int>)(object)new Func<long, int>(v => (int)(v ^ (v >>> 32)));
        if (type == typeof(Guid)) return (Func<TKey, int>)(object)new Func<Guid, int>(HashGuid);
        if (type == typeof(bool)) return (Func<TKey, int>)(object)new Func<bool, int>(v => v ? 1 : 0);
        if (type.IsEnum && Enum.GetUnderlyingType(type) == typeof(int)) return key => Convert.ToInt32(key);

        // Everything else hashes its codec bytes: stable because codecs are.
        var codec = RecordCodec.For<TKey>();
        return key =>
        {
            var writer = new PayloadWriter(64);
            codec.Write(writer, key);
            return (int)XxHash32.HashToUInt32(writer.WrittenSpan);
        };
    }

    private static int HashString(string? s)
        => s is null ? 0 : (int)XxHash32.HashToUInt32(MemoryMarshal.AsBytes(s.AsSpan()));

    private static int HashGuid(Guid g)
    {
        Span<byte> bytes = stackalloc byte[16];
        g.TryWriteBytes(bytes);
        return (int)XxHash32.HashToUInt32(bytes);
    }
}
