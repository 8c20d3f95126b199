namespace OrleansStream.Connectors.Generator;

/// <summary>
/// Deterministic synthetic input for tests, demos and benchmarks. Because every record is a function of
/// its split and position, a reader can be replayed from an offset and produce exactly the same records.
/// </summary>
public static class GeneratorSource
{
    /// <summary>
    /// Produces <c>generator(i)</c> for i in [0, <paramref name="count"/>), or without end when
    /// <paramref name="count"/> is null. With P splits, split s produces the indices s, s + P, s + 2P, ...
    /// </summary>
    public static GeneratorSource<T> FromIndex<T>(Func<long, T> generator, long? count = null)
    {
        ArgumentNullException.ThrowIfNull(generator);
        if (count is { } n)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(n, nameof(count));
        }

        return new GeneratorSource<T>(generator, count);
    }

    /// <summary>
    /// Lets every split enumerate its own sequence (use <see cref="GeneratorSplitContext.Random"/> for random data).
    /// </summary>
    /// <param name="sequence">Creates the split's sequence; called again when a split is replayed, so it must be repeatable.</param>
    /// <param name="countPerSplit">Stops each split after this many records; the source is bounded only when set.</param>
    /// <param name="splits">A fixed number of splits; the source's parallelism when null.</param>
    public static GeneratorSource<T> FromSequence<T>(
        Func<GeneratorSplitContext, IEnumerable<T>> sequence, long? countPerSplit = null, int? splits = null)
    {
        ArgumentNullException.ThrowIfNull(sequence);
        if (countPerSplit is { } n)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(n, nameof(countPerSplit));
        }

        if (splits is { } s)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(s, 1, nameof(splits));
        }

        return new GeneratorSource<T>(sequence, countPerSplit, splits);
    }
}
