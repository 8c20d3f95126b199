using OrleansStream.Api.Connectors;
using StackExchange.Redis;

namespace OrleansStream.Connectors.Redis;

/// <summary>
/// Reads the stream keys of one subtask with non-blocking XREADs, one per stream and all in one round trip. At most <c>maxRecords</c> entries are asked for per call, so no entry is read and
/// then held back; the position of every split only moves past entries that were emitted.
/// </summary>
internal sealed class RedisStreamReader<T> : ISourceReader<T>
{
    /// <summary>How often the backlog is measured: one XINFO STREAM per stream, all in one round trip before a read.</summary>
    private static readonly TimeSpan MeasureEvery = TimeSpan.FromSeconds(2);

    private readonly RedisStreamSource<T> _source;
    private readonly RedisStreamCursor[] _cursors;
    private IDatabase? _database;
    private long _measuredAt;
    private bool _measured;
    private int _next;
    private bool _disposed;

    public RedisStreamReader(RedisStreamSource<T> source, IReadOnlyList<SourceSplit> splits)
    {
        ArgumentNullException.ThrowIfNull(splits);
        _source = source;
        _cursors = new RedisStreamCursor[splits.Count];
        for (int i = 0; i < splits.Count; i++)
        {
            if (splits[i] is not RedisStreamSplit split)
            {
                throw new ArgumentException($"A Redis stream source cannot read the split '{splits[i].SplitId}' of type {splits[i].GetType().Name}.", nameof(splits));
            }

            try
            {
                _cursors[i] = new RedisStreamCursor(split);
            }
            catch (FormatException ex)
            {
                throw new ArgumentException(ex.Message, nameof(splits), ex);
            }
        }
    }

    public IReadOnlyList<SourceSplit> SnapshotSplits() => _cursors.Select(SourceSplit (c) => c.Snapshot()).ToList();

    /// <summary>
    /// The entries after each stream's position, from the count of entries the stream has had added (Redis 7's XINFO
    /// STREAM) less those read, at most what the stream holds; measured every few seconds while reading. A bounded
    /// split counts entries added after its end too.
    /// </summary>
    public SourceBacklog? Backlog
        => _measured ? new SourceBacklog(_cursors.Sum(c => c.Pending), null, _cursors.Count(c => !c.IsFinished)) : null;

    public async ValueTask<ReadStatus> ReadAsync(ISourceOutput<T> output, int maxRecords, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxRecords, 1);
        ObjectDisposedException.ThrowIf(_disposed, this);
        cancellationToken.ThrowIfCancellationRequested();
        if (_cursors.All(c => c.IsFinished))
        {
            return ReadStatus.End;
        }

        _database ??= await RedisConnections.GetDatabaseAsync(_source.ConnectionString, cancellationToken);
        if (_source.IsBounded)
        {
            await ResolveEndsAsync(_database, cancellationToken);
        }

        var active = _cursors.Where(c => !c.IsFinished).ToList();
        if (active.Count == 0)
        {
            return ReadStatus.End;
        }

        if (!_measured || Environment.TickCount64 - _measuredAt >= MeasureEvery.TotalMilliseconds)
        {
            _measuredAt = Environment.TickCount64;
            await MeasureAsync(_database, active, cancellationToken);
        }

        // Ask for at most maxRecords entries in all, spread over the streams; when there are more streams than
        // that, take turns so that every stream is read.
        int chosenCount = Math.Min(active.Count, maxRecords);
        var chosen = new RedisStreamCursor[chosenCount];
        for (int i = 0; i < chosenCount; i++)
        {
            chosen[i] = active[(_next + i) % active.Count];
        }

        _next = (_next + chosenCount) % active.Count;
        int perStream = maxRecords / chosenCount;

        // One XREAD per stream, all sent at once: the multiplexer pipelines them (one round trip), and unlike one
        // XREAD over several keys it also works on a Redis Cluster, where the keys may live in different slots.
        var database = _database;
        var reads = chosen.Select(c => database.StreamReadAsync(c.StreamKey, c.LastRead.ToString(), perStream)).ToArray();
        var results = await Task.WhenAll(reads).WaitAsync(cancellationToken);

        bool more = chosenCount < active.Count;
        for (int i = 0; i < chosen.Length; i++)
        {
            var cursor = chosen[i];
            var entries = results[i];
            foreach (var entry in entries)
            {
                var id = RedisStreamId.Parse(entry.Id!, $"An entry id of the Redis stream '{cursor.StreamKey}'");
                if (!cursor.Accepts(id))
                {
                    break;
                }

                var value = _source.Map(new RedisStreamEntry(cursor.StreamKey, entry.Id!, entry.Values));
                if (_source.UsesEntryIdTimestamps)
                {
                    output.Collect(value, checked((long)id.Milliseconds));
                }
                else
                {
                    output.Collect(value);
                }

                cursor.Emitted(id);
            }

            if (entries.Length < perStream)
            {
                cursor.Drained();
            }
            else if (!cursor.IsFinished)
            {
                more = true;
            }
        }

        return _cursors.All(c => c.IsFinished) ? ReadStatus.End
            : more ? ReadStatus.MoreAvailable
            : ReadStatus.NothingAvailable;
    }

    public ValueTask DisposeAsync()
    {
        // The connection is shared by the process and stays open.
        _disposed = true;
        return ValueTask.CompletedTask;
    }

    private async Task MeasureAsync(IDatabase database, IReadOnlyList<RedisStreamCursor> active, CancellationToken cancellationToken)
    {
        var infos = active.Select(c => database.StreamInfoAsync(c.StreamKey)).ToArray();
        try
        {
            await Task.WhenAll(infos).WaitAsync(cancellationToken);
        }
        catch (RedisServerException)
        {
            // A stream that does not exist (yet) has nothing pending; the others' answers are in their tasks.
        }

        for (int i = 0; i < active.Count; i++)
        {
            if (infos[i].IsCompletedSuccessfully)
            {
                active[i].Measured(infos[i].Result.Length, infos[i].Result.EntriesAdded);
            }
            else
            {
                active[i].Measured(0, 0);
            }
        }

        _measured = true;
    }

    /// <summary>Fixes the end of every bounded split not yet fixed: its stream's newest entry, one XREVRANGE each.</summary>
    private async Task ResolveEndsAsync(IDatabase database, CancellationToken cancellationToken)
    {
        var open = _cursors.Where(c => c.End is null && !c.IsFinished).ToList();
        if (open.Count == 0)
        {
            return;
        }

        var newest = open.Select(c => database.StreamRangeAsync(c.StreamKey, "-", "+", count: 1, messageOrder: Order.Descending)).ToArray();
        var results = await Task.WhenAll(newest).WaitAsync(cancellationToken);
        for (int i = 0; i < open.Count; i++)
        {
            open[i].SetEnd(results[i].Length == 0
                ? RedisStreamId.Zero
                : RedisStreamId.Parse(results[i][0].Id!, $"An entry id of the Redis stream '{open[i].StreamKey}'"));
        }
    }
}
