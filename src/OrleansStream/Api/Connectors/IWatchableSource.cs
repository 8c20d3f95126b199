namespace OrleansStream.Api.Connectors;

/// <summary>
/// A source whose new input can be noticed without reading it. A job with an idle timeout
/// (<see cref="StreamBuilder.IdleTimeout"/>) releases every task while its sources have no input and wakes from its
/// last checkpoint when the watchers of its sources see some: a source the job is to idle on implements this.
/// </summary>
public interface IWatchableSource
{
    /// <summary>False for a source that wraps another (a rate limit) when the one it wraps cannot be watched.</summary>
    bool CanWatchInput => true;

    /// <summary>A watcher of the source's input, used by the job while it is idle (on whichever silo supervises it).</summary>
    ISourceInputWatcher CreateInputWatcher();
}

/// <summary>
/// Watches one source's input for an idle job: <see cref="MarkAsync"/> notes the input there is as the job goes idle,
/// <see cref="HasInputSinceAsync"/> says whether more arrived since. Both are called often: keep them to one light round trip.
/// </summary>
public interface ISourceInputWatcher : IAsyncDisposable
{
    /// <summary>
    /// A mark of the input there is now (say, each stream's newest entry id), kept with the idle job so that a watcher on
    /// another silo goes on from it. Taken before the job's last checkpoint: input that arrives between the two wakes
    /// the job again, which is harmless, and none is missed.
    /// </summary>
    Task<string> MarkAsync(CancellationToken cancellationToken);

    /// <summary>Whether input arrived after <paramref name="mark"/>, which <see cref="MarkAsync"/> of an equal source made.</summary>
    Task<bool> HasInputSinceAsync(string mark, CancellationToken cancellationToken);
}
