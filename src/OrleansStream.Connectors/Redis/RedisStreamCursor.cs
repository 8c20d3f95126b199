namespace OrleansStream.Connectors.Redis;

/// <summary>The read position within one <see cref="RedisStreamSplit"/>.</summary>
internal sealed class RedisStreamCursor
{
    private readonly RedisStreamSplit _split;

    public RedisStreamCursor(RedisStreamSplit split)
    {
        _split = split;
        LastRead = RedisStreamId.Parse(split.LastReadId, $"The last read id of split '{split.SplitId}'");
        End = split.EndId is null ? null : RedisStreamId.Parse(split.EndId, $"The end id of split '{split.SplitId}'");
        IsFinished = split.Finished;
    }

    public string StreamKey => _split.StreamKey;

    /// <summary>The id of the last entry emitted; reading continues after it.</summary>
    public RedisStreamId LastRead { get; private set; }

    /// <summary>The last entry id a bounded split reads, once known.</summary>
    public RedisStreamId? End { get; private set; }

    public bool IsFinished { get; private set; }

    public RedisStreamSplit Snapshot() => _split with
    {
        LastReadId = LastRead.ToString(),
        EndId = End?.ToString(),
        Finished = IsFinished,
    };

    /// <summary>Fixes the end of a bounded split: the newest entry now, or <see cref="RedisStreamId.Zero"/> for an empty stream.</summary>
    public void SetEnd(RedisStreamId end)
    {
        End = end;
        if (LastRead >= end)
        {
            IsFinished = true;
        }
    }

    /// <summary>True when the entry is to be emitted; false (finishing the split) when it lies past a bounded end.</summary>
    public bool Accepts(RedisStreamId id)
    {
        if (End is { } end && id > end)
        {
            IsFinished = true;
            return false;
        }

        return true;
    }

    public void Emitted(RedisStreamId id)
    {
        LastRead = id;
        if (End is { } end && id >= end)
        {
            IsFinished = true;
        }
    }

    /// <summary>
    /// A bounded read returned fewer entries than asked for: nothing up to the end is left (ids only grow, so no
    /// entry at or before the end can still appear; the end entry itself may have been deleted).
    /// </summary>
    public void Drained()
    {
        if (End is not null)
        {
            IsFinished = true;
        }
    }
}
