namespace OrleansStream.Runtime.Idling;

/// <summary>When a job's sources last read a record, from the counts their subtasks report: how an idle timeout is measured.</summary>
internal sealed class SourceActivity(TimeProvider time)
{
    private long _read = -1;
    private DateTimeOffset _since;

    /// <summary>Notes that the sources have read <paramref name="recordsRead"/> records so far; returns how long that count has stood.</summary>
    public TimeSpan QuietFor(long recordsRead)
    {
        var now = time.GetUtcNow();
        if (recordsRead != _read)
        {
            _read = recordsRead;
            _since = now;
        }

        return now - _since;
    }

    /// <summary>Starts measuring afresh: a new attempt counts from zero, and a failed attempt to idle waits a whole timeout again.</summary>
    public void Reset() => _read = -1;
}
