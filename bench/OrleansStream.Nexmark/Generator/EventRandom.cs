namespace OrleansStream.Nexmark.Generator;

/// <summary>
/// The random numbers of one event: SplitMix64 seeded from (seed, event index), so an event depends on
/// nothing but its index and can be generated on any subtask, in any order, any number of times. The
/// reference seeds java.util.Random with the event id for the same reason.
/// </summary>
internal struct EventRandom
{
    private ulong _state;

    public EventRandom(long seed, long index)
    {
        // Two rounds keep neighbouring indices of one seed, and one index of neighbouring seeds, unrelated.
        _state = Mix(Mix(unchecked((ulong)seed * 0x9E3779B97F4A7C15UL)) ^ unchecked((ulong)index));
    }

    public ulong NextUInt64()
    {
        _state = unchecked(_state + 0x9E3779B97F4A7C15UL);
        return Mix(_state);
    }

    /// <summary>Uniform in [0, <paramref name="bound"/>).</summary>
    public int NextInt(int bound) => (int)(((NextUInt64() >> 32) * (ulong)bound) >> 32);

    /// <summary>Uniform in [0, <paramref name="bound"/>).</summary>
    public long NextLong(long bound) => (long)(NextUInt64() % (ulong)bound);

    /// <summary>Uniform in [0, 1).</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    private static ulong Mix(ulong z)
    {
        z = unchecked((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL);
        z = unchecked((z ^ (z >> 27)) * 0x94D049BB133111EBUL);
        return z ^ (z >> 31);
    }
}
