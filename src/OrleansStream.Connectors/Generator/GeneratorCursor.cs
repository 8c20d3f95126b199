namespace OrleansStream.Connectors.Generator;

/// <summary>
/// The position within one generator split. A produced record is held until it is emitted, so a
/// record that pacing holds back is neither generated twice nor counted before it leaves.
/// </summary>
internal abstract class GeneratorCursor<T>(GeneratorSplit split) : IDisposable
{
    private T? _pending;
    private bool _hasPending;

    /// <summary>The split as it was given, with the progress it was restored from.</summary>
    protected GeneratorSplit Split { get; } = split;

    /// <summary>Records emitted from this split, counting those before a resume: the replay offset.</summary>
    public long Emitted { get; private set; } = split.Emitted;

    /// <summary>True once the split has produced its last record (or was restored as finished).</summary>
    public bool IsFinished { get; private set; } = split.Finished;

    /// <summary>The split with the progress up to the last record emitted.</summary>
    public GeneratorSplit Snapshot() => Split with { Emitted = Emitted, Finished = IsFinished };

    /// <summary>The next record of the split, or false when the split has ended.</summary>
    public bool TryPeek(out T value)
    {
        if (!_hasPending)
        {
            if (IsFinished || !TryProduce(out _pending))
            {
                IsFinished = true;
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
