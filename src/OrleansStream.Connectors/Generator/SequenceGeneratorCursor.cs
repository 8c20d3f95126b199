namespace OrleansStream.Connectors.Generator;

/// <summary>
/// Produces one split of a sequence generator. Resuming enumerates the split's sequence again from the
/// start and skips what was already emitted, which is exact because the sequence is deterministic.
/// </summary>
internal sealed class SequenceGeneratorCursor<T>(
    GeneratorSplit restored, Func<GeneratorSplitContext, IEnumerable<T>> sequence, int seed, long? countPerSplit)
    : GeneratorCursor<T>(restored)
{
    private IEnumerator<T>? _enumerator;
    private bool _ended;

    public override void Dispose()
    {
        _ended = true;
        _enumerator?.Dispose();
        _enumerator = null;
    }

    protected override bool TryProduce(out T value)
    {
        value = default!;
        if (_ended || (countPerSplit is { } limit && Emitted >= limit))
        {
            return false;
        }

        if (_enumerator is null)
        {
            _enumerator = sequence(new GeneratorSplitContext(Split.SplitIndex, Split.SplitCount, seed)).GetEnumerator();
            for (long skipped = 0; skipped < Emitted; skipped++)
            {
                if (!_enumerator.MoveNext())
                {
                    Dispose();
                    return false;
                }
            }
        }

        if (!_enumerator.MoveNext())
        {
            Dispose();
            return false;
        }

        value = _enumerator.Current;
        return true;
    }
}
