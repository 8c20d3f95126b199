namespace OrleansStream.Connectors.Redis;

/// <summary>The read position within one <see cref="RedisStreamSplit"/>.</summary>
internal sealed class RedisStreamCursor
{
    private readonly RedisStreamSplit _split;
    private long _pending;

    public RedisStreamCursor(RedisStreamSplit split)
    {
        _split = split;
        LastRead = RedisStreamId.Parse(split.LastReadId, $"The last read id of split '{split.SplitId}'");
        End = split.EndId is null ? null : RedisStreamId.Parse(split.EndId, $"The end id of split '{split.SplitId}'");
        IsFinished = split.Finished;
        EntriesRead = split.EntriesRead;
    }

    public string StreamKey => _split.StreamKey;

    /// <summary>The id of the last entry emitted; reading continues after it.</summary>
    public RedisStreamId LastRead { get; private set; }

    /// <summary>The last entry id a bounded split reads, once known.</summary>
    public RedisStreamId? End { get; private set; }

    public bool IsFinished { get; private set; }

    /// <summary>How many entries the split has emitted, from the stream's first.</summary>
    public long EntriesRead { get; private set; }

    /// <summary>The entries after the position, as last measured (<see cref="Measured"/>); 0 once finished.</summary>
    public long Pending => IsFinished ? 0 : _pending;

    /// <summary>
    /// The stream holds <paramref name="length"/> entries and has had <paramref name="entriesAdded"/> added in all: those
    /// after the position are the ones added but not read, and no more than are there (entries trimmed unread are gone).
    /// </summary>
    public void Measured(long length, long entriesAdded) => _pending = Math.Clamp(entriesAdded - EntriesRead, 0, length);

    public RedisStreamSplit Snapshot() => _split with
    {
        LastReadId = LastRead.ToString(),
        EndId = End?.ToString(),
        Finished = IsFinished,
        EntriesRead = EntriesRead,
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
        EntriesRead++;
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
