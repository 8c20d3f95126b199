namespace OrleansStream.KeyGroups;

/// <summary>
/// The pure arithmetic of key groups, as in Flink: a key belongs to key group
/// <c>hash(key) % maxParallelism</c>, and subtask <c>i</c> of <c>p</c> owns a contiguous range of key groups.
/// </summary>
public static class KeyGroupRangeAssignment
{
    public const int DefaultMaxParallelism = 128;

    /// <summary>Upper bound for max parallelism; key groups are stored as 16-bit numbers in snapshots.</summary>
    public const int UpperBoundMaxParallelism = 1 << 15;

    public static int AssignToKeyGroup(int keyHash, int maxParallelism)
    {
        // A murmur finaliser spreads hashes whose low bits are poor (small integers, sequential ids).
        return (int)((uint)MurmurMix(keyHash) % (uint)maxParallelism);
    }

    public static int OperatorIndexForKeyGroup(int keyGroup, int maxParallelism, int parallelism)
        => keyGroup * parallelism / maxParallelism;

    public static int AssignKeyToOperator(int keyHash, int maxParallelism, int parallelism)
        => OperatorIndexForKeyGroup(AssignToKeyGroup(keyHash, maxParallelism), maxParallelism, parallelism);

    public static KeyGroupRange RangeForOperator(int maxParallelism, int parallelism, int operatorIndex)
    {
        Validate(maxParallelism, parallelism);
        if ((uint)operatorIndex >= (uint)parallelism)
        {
            throw new ArgumentOutOfRangeException(nameof(operatorIndex), operatorIndex, $"Subtask index must be in [0, {parallelism}).");
        }

        // Inverse of OperatorIndexForKeyGroup: the smallest key group g with g * p / maxP >= i.
        int start = (int)(((long)operatorIndex * maxParallelism + parallelism - 1) / parallelism);
        int end = (int)(((long)(operatorIndex + 1) * maxParallelism + parallelism - 1) / parallelism) - 1;
        return new KeyGroupRange(start, end);
    }

    public static void Validate(int maxParallelism, int parallelism)
    {
        if (maxParallelism < 1 || maxParallelism > UpperBoundMaxParallelism)
        {
            throw new ArgumentOutOfRangeException(nameof(maxParallelism), maxParallelism, $"Max parallelism must be in [1, {UpperBoundMaxParallelism}].");
        }

        if (parallelism < 1 || parallelism > maxParallelism)
        {
            throw new ArgumentOutOfRangeException(nameof(parallelism), parallelism, $"Parallelism must be in [1, {maxParallelism}] (the max parallelism).");
        }
    }

    private static int MurmurMix(int h)
    {
        uint x = (uint)h;
        x ^= x >> 16;
        x *= 0x85ebca6b;
        x ^= x >> 13;
        x *= 0xc2b2ae35;
        x ^= x >> 16;
        return (int)x;
    }
}
