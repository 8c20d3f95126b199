namespace OrleansStream.Connectors.Generator;

/// <summary>Produces split s of an index generator: indices s, s + P, s + 2P, ... computed directly, so resuming costs nothing.</summary>
internal sealed class IndexGeneratorCursor<T>(GeneratorSplit restored, Func<long, T> generator, long? count)
    : GeneratorCursor<T>(restored)
{
    protected override bool TryProduce(out T value)
    {
        long index = Split.SplitIndex + (Emitted * Split.SplitCount);
        if (count is { } total && index >= total)
        {
            value = default!;
            return false;
        }

        value = generator(index);
        return true;
    }
}
