namespace OrleansStream.Connectors.Generator;

/// <summary>
/// What a sequence generator knows about the split it produces. <see cref="Random"/> is seeded from the
/// seed and the split index only, so a split produces the same records on every run and on replay.
/// </summary>
public sealed class GeneratorSplitContext
{
    public GeneratorSplitContext(int splitIndex, int splitCount, int seed)
    {
        SplitIndex = splitIndex;
        SplitCount = splitCount;
        Seed = seed;
        Random = new Random(unchecked((seed * 7919) + splitIndex));
    }

    public int SplitIndex { get; }

    public int SplitCount { get; }

    public int Seed { get; }

    /// <summary>A generator for this split alone; seeded with <c>Seed * 7919 + SplitIndex</c>.</summary>
    public Random Random { get; }

    public override string ToString() => $"split {SplitIndex} of {SplitCount} (seed {Seed})";
}
