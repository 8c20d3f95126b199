namespace OrleansStream.State;

/// <summary>A timer of a key in a namespace (a window, or nothing for process functions).</summary>
public readonly record struct InternalTimer<TKey, TNamespace>(long Timestamp, TKey Key, TNamespace Namespace);

/// <summary>
/// The timers of one time domain: a set (one timer per key, namespace and time) and a priority queue
/// by time. Deleting only leaves the set, so that the queue need not be searched; dead entries are
/// skipped when they reach the front, and the queue is rebuilt when they outnumber the live ones.
/// Equal times come out in registration order, so a run fires them the same way every time.
/// </summary>
internal sealed class TimerQueue<TKey, TNamespace>
{
    private const int CompactionFloor = 1024;
    private readonly HashSet<InternalTimer<TKey, TNamespace>> _timers = new();
    private readonly PriorityQueue<InternalTimer<TKey, TNamespace>, (long Timestamp, long Sequence)> _queue = new();
    private long _sequence;

    public int Count => _timers.Count;

    public IEnumerable<InternalTimer<TKey, TNamespace>> All => _timers;

    public bool Register(InternalTimer<TKey, TNamespace> timer)
    {
        if (!_timers.Add(timer))
        {
            return false;
        }

        _queue.Enqueue(timer, (timer.Timestamp, _sequence++));
        return true;
    }

    public bool Delete(InternalTimer<TKey, TNamespace> timer)
    {
        if (!_timers.Remove(timer))
        {
            return false;
        }

        if (_queue.Count > CompactionFloor && _queue.Count > 2 * _timers.Count)
        {
            Compact();
        }

        return true;
    }

    /// <summary>The earliest live timer's time, if there is a timer.</summary>
    public bool TryPeekTimestamp(out long timestamp)
    {
        while (_queue.TryPeek(out var timer, out var priority))
        {
            if (_timers.Contains(timer))
            {
                timestamp = priority.Timestamp;
                return true;
            }

            _queue.Dequeue();
        }

        timestamp = 0;
        return false;
    }

    /// <summary>Removes and returns the earliest live timer if its time is at most <paramref name="maxTimestamp"/>.</summary>
    public bool TryDequeueDue(long maxTimestamp, out InternalTimer<TKey, TNamespace> timer)
    {
        while (_queue.TryPeek(out timer, out var priority) && priority.Timestamp <= maxTimestamp)
        {
            _queue.Dequeue();
            if (_timers.Remove(timer))
            {
                return true;
            }
        }

        timer = default;
        return false;
    }

    private void Compact()
    {
        var live = new List<(InternalTimer<TKey, TNamespace> Timer, (long, long) Priority)>(_timers.Count);
        while (_queue.TryDequeue(out var timer, out var priority))
        {
            if (_timers.Contains(timer))
            {
                live.Add((timer, priority));
            }
        }

        _queue.EnqueueRange(live);
    }
}
