namespace OrleansStream.Api.Connectors;

/// <summary>
/// A source whose new input can be noticed without reading it. A job with an idle timeout
/// (<see cref="StreamBuilder.IdleTimeout"/>) releases every task while its sources have no input, and wakes from its
/// last checkpoint when the watchers of its sources see input beyond what its readers had read: a source the job is to
/// idle on implements this.
/// </summary>
public interface IWatchableSource
{
    /// <summary>False for a source that wraps another (a rate limit) when the one it wraps cannot be watched.</summary>
    bool CanWatchInput => true;

    /// <summary>
    /// What a reader of <paramref name="splits"/> (its splits with their progress, as <see cref="ISourceReader{T}.SnapshotSplits"/>
    /// gives them) has read, as a mark its watcher understands: say each stream's last entry id read. Cheap: every
    /// source subtask reports it with its progress.
    /// </summary>
    string MarkOf(IReadOnlyList<SourceSplit> splits);

    /// <summary>A watcher of the source's input, used by the job while it is idle (on whichever silo supervises it).</summary>
    ISourceInputWatcher CreateInputWatcher();
}

/// <summary>Tells an idle job whether one of its source subtasks has input beyond what it had read. Keep a call to one light round trip: it is asked often.</summary>
public interface ISourceInputWatcher : IAsyncDisposable
{
    /// <summary>Whether there is input beyond <paramref name="mark"/> (<see cref="IWatchableSource.MarkOf"/>) for the splits it covers.</summary>
    Task<bool> HasInputSinceAsync(string mark, CancellationToken cancellationToken);
}
