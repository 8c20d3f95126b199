namespace OrleansStream.Connectors;

/// <summary>
/// The position within one generator split. A produced record is held until it is emitted, so a
/// record that pacing holds back is neither generated twice nor counted before it leaves.
/// </summary>
internal abstract class GeneratorCursor<T>(string splitId, long emitted) : IDisposable
{
    private T? _pending;
    private bool _hasPending;

    public string SplitId { get; } = splitId;

    /// <summary>Records emitted from this split, counting those before a resume: the replay offset.</summary>
    public long Emitted { get; private set; } = emitted;

    /// <summary>The next record of the split, or false when the split has ended.</summary>
    public bool TryPeek(out T value)
    {
        if (!_hasPending)
        {
            if (!TryProduce(out _pending))
            {
                value = default!;
                return false;
            }

            _hasPending = true;
        }

        value = _pending!;
        return true;
    }

    /// <summary>Marks the peeked record as emitted.</summary>
    public void Advance()
    {
        _pending = default;
        _hasPending = false;
        Emitted++;
    }

    public virtual void Dispose()
    {
    }

    protected abstract bool TryProduce(out T value);
}
